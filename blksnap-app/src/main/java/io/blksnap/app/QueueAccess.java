package io.blksnap.app;

import jakarta.jms.JMSException;
import org.apache.camel.Message;
import org.apache.camel.component.jms.JmsMessage;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may run which queue operation. The user is the one the broker authenticated and stamped on
 * the message ({@code _AMQ_VALIDATED_USER}, which Artemis overwrites when populate-validated-user
 * is on), never a field or header the client chose. Roles come from Artemis-style role files
 * ({@code role=user1,user2}), read at each request so an edit needs no restart. The roles nest:
 * {@value #ADMIN} may do everything, {@value #BACKUP} also what {@value #READER} may.
 */
public final class QueueAccess {

    static final String READER = "blksnap-reader";
    static final String BACKUP = "blksnap-backup";
    static final String ADMIN = "blksnap-admin";
    /** The JMS property Artemis stamps with the authenticated user (populate-validated-user). */
    static final String VALIDATED_USER = "_AMQ_VALIDATED_USER";

    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "list", Set.of(READER, BACKUP, ADMIN),
            "catalog", Set.of(READER, BACKUP, ADMIN),
            "snapshot", Set.of(BACKUP, ADMIN),
            "prune", Set.of(BACKUP, ADMIN),
            "apply", Set.of(ADMIN),
            "delete", Set.of(ADMIN),
            "undo", Set.of(ADMIN));

    private final List<Path> roleFiles;

    public QueueAccess(List<Path> roleFiles) {
        this.roleFiles = List.copyOf(roleFiles);
    }

    /** The broker-validated user of a JMS message, read by its exact name; null when there is none. */
    static String validatedUser(Message in) {
        if (in instanceof JmsMessage jms && jms.getJmsMessage() != null) {
            try {
                return jms.getJmsMessage().getStringProperty(VALIDATED_USER);
            } catch (JMSException e) {
                return null;
            }
        }
        return null;
    }

    /** Refuses the operation unless the user holds a role allowed to run it. */
    void authorise(String user, String operation) throws AccessDeniedException {
        if (user == null || user.isEmpty()) {
            throw new AccessDeniedException("no authenticated user on the message (the broker must authenticate"
                    + " clients and populate the validated user)");
        }
        Set<String> allowed = ALLOWED.get(operation);
        Set<String> roles = roles(user);
        if (allowed == null || roles.stream().noneMatch(allowed::contains)) {
            throw new AccessDeniedException("user " + user + " may not " + operation + ": it needs one of the roles "
                    + new TreeSet<>(allowed == null ? Set.of() : allowed) + ", it has " + roles);
        }
    }

    /** The roles the role files give the user. */
    Set<String> roles(String user) {
        Set<String> roles = new TreeSet<>();
        for (Path f : roleFiles) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read role file " + f, e);
            }
            for (String role : p.stringPropertyNames()) {
                for (String u : p.getProperty(role).split(",")) {
                    if (u.trim().equals(user)) {
                        roles.add(role.trim());
                    }
                }
            }
        }
        return roles;
    }
}
