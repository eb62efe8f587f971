package io.blksnap.camel.springboot;

import java.time.Clock;
import java.util.Set;

import io.blksnap.camel.BlksnapConfiguration;
import io.blksnap.txn.SnapshotEngine;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.GenericConverter;

/**
 * Binds the object options of {@code camel.component.blksnap.*} (engine, configuration, clock) from a bean reference:
 * {@code #bean:name} (or {@code #name}) names a bean of the application context.
 */
@Configuration(proxyBeanMethods = false)
@ConfigurationPropertiesBinding
public class BlksnapComponentConverter implements GenericConverter {

    private final ApplicationContext applicationContext;

    public BlksnapComponentConverter(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    @Override
    public Set<ConvertiblePair> getConvertibleTypes() {
        return Set.of(new ConvertiblePair(String.class, SnapshotEngine.class),
                new ConvertiblePair(String.class, BlksnapConfiguration.class),
                new ConvertiblePair(String.class, Clock.class));
    }

    @Override
    public Object convert(Object source, TypeDescriptor sourceType, TypeDescriptor targetType) {
        if (source == null) {
            return null;
        }
        String ref = source.toString().trim();
        if (ref.startsWith("#bean:")) {
            ref = ref.substring("#bean:".length());
        } else if (ref.startsWith("#")) {
            ref = ref.substring(1);
        }
        if (ref.isEmpty()) {
            throw new IllegalArgumentException("camel.component.blksnap: an empty bean reference for a "
                    + targetType.getType().getName());
        }
        return applicationContext.getBean(ref, targetType.getType());
    }
}
