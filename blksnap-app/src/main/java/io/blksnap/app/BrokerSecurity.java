package io.blksnap.app;

import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.PropertiesLoginModule;

import javax.security.auth.login.AppConfigurationEntry;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Who may connect to the embedded broker and what each role may do there. Users and roles are
 * Artemis properties-login-module files: the operator's (in the configuration directory, optional)
 * and the generated ones (on first start, in an owner-only directory under the state directory:
 * the application's own user and an admin user with random passwords). Artemis's
 * {@link ActiveMQJAASSecurityManager} checks them, and stamps the authenticated user on every
 * message (populate-validated-user), which {@link QueueAccess} authorises per operation.
 */
final class BrokerSecurity {

    static final String APP_USER = "blksnap-app";
    static final String APP_ROLE = "blksnap-app";
    static final String ADMIN_USER = "blksnap-admin";
    static final String USERS = "users.properties";
    static final String ROLES = "roles.properties";
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private final Path generatedDir;
    private final Path configUsers;
    private final Path configRoles;

    private BrokerSecurity(Path generatedDir, Path configUsers, Path configRoles) {
        this.generatedDir = generatedDir;
        this.configUsers = configUsers;
        this.configRoles = configRoles;
    }

    /**
     * Opens the credentials in {@code generatedDir}, creating them (0700 directory, 0600 files)
     * when they do not exist yet; returns whether they were created.
     */
    static BrokerSecurity open(Path generatedDir, Path configUsers, Path configRoles) throws IOException {
        BrokerSecurity s = new BrokerSecurity(generatedDir, configUsers, configRoles);
        s.ensureGenerated();
        return s;
    }

    Path generatedDir() {
        return generatedDir;
    }

    /** The role files, generated first; {@link QueueAccess} reads the same ones. */
    List<Path> roleFiles() {
        return List.of(generatedDir.resolve(ROLES), configRoles);
    }

    /** The password of a generated user. */
    String password(String user) throws IOException {
        String p = load(generatedDir.resolve(USERS)).getProperty(user);
        if (p == null) {
            throw new IOException(generatedDir.resolve(USERS) + " has no user " + user
                    + " (delete the directory to generate new credentials)");
        }
        return p;
    }

    ActiveMQJAASSecurityManager securityManager() {
        List<AppConfigurationEntry> modules = new ArrayList<>();
        modules.add(module(generatedDir.resolve(USERS), generatedDir.resolve(ROLES)));
        if (Files.isRegularFile(configUsers)) {
            modules.add(module(configUsers, configRoles));
        }
        AppConfigurationEntry[] entries = modules.toArray(AppConfigurationEntry[]::new);
        return new ActiveMQJAASSecurityManager("blksnap", new SecurityConfiguration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return entries;
            }
        });
    }

    /**
     * Per address: clients (any blksnap role) may send requests, subscribe to events and use
     * temporary reply queues; only the application consumes requests and publishes events; only
     * the application and admins read the dead-letter queue. Nobody but the application manages.
     */
    static Map<String, Set<Role>> addressRoles() {
        Map<String, Set<Role>> m = new LinkedHashMap<>();
        Role appAll = new Role(APP_ROLE, true, true, true, true, true, true, false, true, true, true);
        m.put("#", Set.of(appAll, client(QueueAccess.READER), client(QueueAccess.BACKUP), client(QueueAccess.ADMIN)));
        Set<Role> send = Set.of(appAll, sendOnly(QueueAccess.READER), sendOnly(QueueAccess.BACKUP),
                sendOnly(QueueAccess.ADMIN));
        m.put("blksnap.requests", send);
        m.put("blksnap.requests.DLQ", Set.of(appAll,
                new Role(QueueAccess.ADMIN, false, true, false, false, false, false, false, true, false, false)));
        m.put("blksnap.events", Set.of(appAll, subscriber(QueueAccess.READER), subscriber(QueueAccess.BACKUP),
                subscriber(QueueAccess.ADMIN)));
        return m;
    }

    /** Temporary reply queues: create, use and delete non-durable queues and their addresses. */
    private static Role client(String name) {
        return new Role(name, true, true, false, false, true, true, false, false, true, true);
    }

    private static Role sendOnly(String name) {
        return new Role(name, true, false, false, false, false, false, false, false, false, false);
    }

    private static Role subscriber(String name) {
        return new Role(name, false, true, false, false, true, true, false, false, true, false);
    }

    private static AppConfigurationEntry module(Path users, Path roles) {
        Map<String, Object> options = new HashMap<>();
        // PropertiesLoginModule resolves file names against baseDir; reload picks up edits
        options.put("baseDir", users.toAbsolutePath().getParent().toString());
        options.put(PropertiesLoginModule.USER_FILE_PROP_NAME, users.getFileName().toString());
        options.put(PropertiesLoginModule.ROLE_FILE_PROP_NAME,
                users.toAbsolutePath().getParent().relativize(roles.toAbsolutePath()).toString());
        options.put("reload", "true");
        return new AppConfigurationEntry(PropertiesLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.SUFFICIENT, options);
    }

    private void ensureGenerated() throws IOException {
        if (!Files.isDirectory(generatedDir)) {
            Files.createDirectories(generatedDir, PosixFilePermissions.asFileAttribute(DIR));
        }
        // an existing directory is narrowed too: the files hold passwords
        Files.setPosixFilePermissions(generatedDir, DIR);
        Path users = generatedDir.resolve(USERS);
        if (!Files.exists(users)) {
            SecureRandom random = new SecureRandom();
            write(generatedDir.resolve(ROLES), "# generated by blksnap: role=user,user\n"
                    + APP_ROLE + "=" + APP_USER + "\n" + QueueAccess.ADMIN + "=" + ADMIN_USER + "\n");
            write(users, "# generated by blksnap: user=password (the application's own and an admin)\n"
                    + APP_USER + "=" + secret(random) + "\n" + ADMIN_USER + "=" + secret(random) + "\n");
        }
        for (Path f : List.of(users, generatedDir.resolve(ROLES))) {
            if (Files.exists(f)) {
                Files.setPosixFilePermissions(f, FILE);
            }
        }
    }

    private void write(Path target, String text) throws IOException {
        Path tmp = Files.createTempFile(generatedDir, ".gen", ".tmp", PosixFilePermissions.asFileAttribute(FILE));
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String secret(SecureRandom random) {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static Properties load(Path f) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}
