package io.blksnap.camel.springboot;

import java.time.Clock;
import java.time.Duration;

import io.blksnap.camel.BlksnapConfiguration;
import io.blksnap.camel.BlksnapOperations;
import io.blksnap.camel.BlksnapSnapshotType;
import io.blksnap.txn.SnapshotEngine;
import org.apache.camel.spring.boot.ComponentConfigurationPropertiesCommon;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The blksnap component's options as Spring Boot properties, {@code camel.component.blksnap.*}: one field per
 * component option (its Javadoc is the description IDEs show), null unless set or defaulted like the component. Every
 * non-null option is copied onto the component, except {@code configFile} and {@code baseDir}, which build the
 * {@link SnapshotEngine} bean instead.
 */
@ConfigurationProperties(prefix = "camel.component.blksnap")
public class BlksnapComponentConfiguration extends ComponentConfigurationPropertiesCommon {

    /**
     * A devices.yaml (its format: the component guide). The starter opens a SnapshotEngine bean on it, recovering
     * what a crash left, unless the application defines its own SnapshotEngine bean; the bean is closed with the
     * application context and the component uses it.
     */
    private String configFile;
    /**
     * The directory configFile and the relative paths inside it (stateDir, image, overlayDir, qmpSocket) resolve
     * against (default: the working directory).
     */
    private String baseDir;
    /**
     * The blksnap engine to use (a SnapshotEngine bean, autowired when there is exactly one). The option is a
     * io.blksnap.txn.SnapshotEngine type; a bean reference such as #bean:myEngine.
     */
    private SnapshotEngine engine;
    /**
     * The endpoint options every endpoint of this component starts from. The option is a
     * io.blksnap.camel.BlksnapConfiguration type; a bean reference such as #bean:myOptions.
     */
    private BlksnapConfiguration configuration;
    /**
     * The operation to perform: snapshot, delete, list, apply, undo, prune or catalog. The CamelBlksnapOperation
     * header overrides it.
     */
    private BlksnapOperations operation;
    /**
     * The snapshot type for snapshot: internal (inside each image) or external (a new overlay in each device's
     * overlayDir, named device-name.qcow2, which the device pivots to). The CamelBlksnapType header overrides it.
     */
    private BlksnapSnapshotType type = BlksnapSnapshotType.internal;
    /**
     * The snapshot name: for snapshot it overrides namePattern; delete and apply need one (here or in the
     * CamelBlksnapSnapshotName header, which overrides it).
     */
    private String name;
    /**
     * How snapshot names its snapshots when no name is given: a strftime-like pattern of the snapshot time in
     * timeZone (%Y %y %m %d %H %M %S %j %s %%).
     */
    private String namePattern = "auto-%Y%m%d-%H%M%S";
    /**
     * The time zone of namePattern and of prune's calendar (its hours, days, ISO weeks, months and years).
     */
    private String timeZone = "UTC";
    /**
     * The transaction undo compensates. The CamelBlksnapTransactionId header overrides it; without either, inside a
     * Saga, undo compensates the snapshots this component took for the saga (its Long-Running-Action).
     */
    private String transactionId;
    /**
     * prune keeps the newest N group snapshots (0: rule off).
     */
    private Integer keepLast = 0;
    /**
     * prune keeps the newest group snapshot of each of the newest N hours that have one (0: rule off).
     */
    private Integer keepHourly = 0;
    /**
     * prune keeps the newest group snapshot of each of the newest N days that have one (0: rule off).
     */
    private Integer keepDaily = 0;
    /**
     * prune keeps the newest group snapshot of each of the newest N ISO weeks (Monday to Sunday) that have one (0:
     * rule off).
     */
    private Integer keepWeekly = 0;
    /**
     * prune keeps the newest group snapshot of each of the newest N months that have one (0: rule off).
     */
    private Integer keepMonthly = 0;
    /**
     * prune keeps the newest group snapshot of each of the newest N years that have one (0: rule off).
     */
    private Integer keepYearly = 0;
    /**
     * prune keeps every group snapshot newer than now minus this duration: 7d, 12h, 1w2d, 90m, 30s or ISO-8601 such
     * as P7D or PT12H.
     */
    private String keepWithin;
    /**
     * prune only reports what it would delete and why, changing nothing. The CamelBlksnapDryRun header overrides it.
     */
    private Boolean dryRun = false;
    /**
     * How long a changing operation waits for the group's devices while another operation of this component holds
     * them; when it runs out the operation fails with BlksnapTransactionAbortedException and changes nothing.
     */
    private Duration timeout = Duration.ofSeconds(30);
    /**
     * The transaction events the consumer delivers, comma separated: started, step, committed, aborted, recovered.
     */
    private String events = "committed,aborted,recovered";
    /**
     * The clock that gives snapshot times, catalog times and prune's now (default: the system clock in UTC); a fixed
     * clock makes retention reproducible. The option is a java.time.Clock type; a bean reference such as
     * #bean:myClock.
     */
    private Clock clock;
    /**
     * Allows for bridging the consumer to the Camel routing Error Handler: exceptions the consumer meets are then
     * processed as a message by the route's error handler instead of being logged and ignored.
     */
    private Boolean bridgeErrorHandler = false;
    /**
     * Whether the producer should be started lazy (on the first message), so that the route starts even when the
     * producer cannot yet; a failing start is then handled by the route's error handler.
     */
    private Boolean lazyStartProducer = false;
    /**
     * Whether autowiring is enabled: options marked autowired (engine) are looked up in the registry by type and set
     * when there is exactly one matching bean.
     */
    private Boolean autowiredEnabled = true;

    public String getConfigFile() {
        return configFile;
    }

    public void setConfigFile(String configFile) {
        this.configFile = configFile;
    }

    public String getBaseDir() {
        return baseDir;
    }

    public void setBaseDir(String baseDir) {
        this.baseDir = baseDir;
    }

    public SnapshotEngine getEngine() {
        return engine;
    }

    public void setEngine(SnapshotEngine engine) {
        this.engine = engine;
    }

    public BlksnapConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(BlksnapConfiguration configuration) {
        this.configuration = configuration;
    }

    public BlksnapOperations getOperation() {
        return operation;
    }

    public void setOperation(BlksnapOperations operation) {
        this.operation = operation;
    }

    public BlksnapSnapshotType getType() {
        return type;
    }

    public void setType(BlksnapSnapshotType type) {
        this.type = type;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getNamePattern() {
        return namePattern;
    }

    public void setNamePattern(String namePattern) {
        this.namePattern = namePattern;
    }

    public String getTimeZone() {
        return timeZone;
    }

    public void setTimeZone(String timeZone) {
        this.timeZone = timeZone;
    }

    public String getTransactionId() {
        return transactionId;
    }

    public void setTransactionId(String transactionId) {
        this.transactionId = transactionId;
    }

    public Integer getKeepLast() {
        return keepLast;
    }

    public void setKeepLast(Integer keepLast) {
        this.keepLast = keepLast;
    }

    public Integer getKeepHourly() {
        return keepHourly;
    }

    public void setKeepHourly(Integer keepHourly) {
        this.keepHourly = keepHourly;
    }

    public Integer getKeepDaily() {
        return keepDaily;
    }

    public void setKeepDaily(Integer keepDaily) {
        this.keepDaily = keepDaily;
    }

    public Integer getKeepWeekly() {
        return keepWeekly;
    }

    public void setKeepWeekly(Integer keepWeekly) {
        this.keepWeekly = keepWeekly;
    }

    public Integer getKeepMonthly() {
        return keepMonthly;
    }

    public void setKeepMonthly(Integer keepMonthly) {
        this.keepMonthly = keepMonthly;
    }

    public Integer getKeepYearly() {
        return keepYearly;
    }

    public void setKeepYearly(Integer keepYearly) {
        this.keepYearly = keepYearly;
    }

    public String getKeepWithin() {
        return keepWithin;
    }

    public void setKeepWithin(String keepWithin) {
        this.keepWithin = keepWithin;
    }

    public Boolean getDryRun() {
        return dryRun;
    }

    public void setDryRun(Boolean dryRun) {
        this.dryRun = dryRun;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public String getEvents() {
        return events;
    }

    public void setEvents(String events) {
        this.events = events;
    }

    public Clock getClock() {
        return clock;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    public Boolean getBridgeErrorHandler() {
        return bridgeErrorHandler;
    }

    public void setBridgeErrorHandler(Boolean bridgeErrorHandler) {
        this.bridgeErrorHandler = bridgeErrorHandler;
    }

    public Boolean getLazyStartProducer() {
        return lazyStartProducer;
    }

    public void setLazyStartProducer(Boolean lazyStartProducer) {
        this.lazyStartProducer = lazyStartProducer;
    }

    public Boolean getAutowiredEnabled() {
        return autowiredEnabled;
    }

    public void setAutowiredEnabled(Boolean autowiredEnabled) {
        this.autowiredEnabled = autowiredEnabled;
    }
}
