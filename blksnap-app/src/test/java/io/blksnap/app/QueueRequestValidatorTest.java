package io.blksnap.app;

import io.blksnap.testing.GroupFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile and malformed queue messages are refused with a reason before the engine sees them. */
class QueueRequestValidatorTest {

    @TempDir
    Path dir;

    private QueueRequestValidator validator;

    @BeforeEach
    void registry() throws Exception {
        validator = new QueueRequestValidator(GroupFixture.in(dir).group("web", "a").written("0").create().registry());
    }

    @Test
    void aValidRequestPasses() throws Exception {
        QueueRequest r = validator.validate("{\"group\":\"web\",\"operation\":\"snapshot\",\"name\":\"nightly-1\"}");
        assertEquals("web", r.group());
        assertEquals("nightly-1", r.name());
        assertEquals(3, validator.validate("{\"group\":\"web\",\"operation\":\"prune\",\"keepLast\":3}").keepLast());
    }

    @ParameterizedTest
    @ValueSource(strings = {"7d", "1w2d", "12h30m", "PT12H"})
    void keepWithinTakesTheDurationsTheComponentDocuments(String within) throws Exception {
        assertEquals(within, validator.validate("{\"group\":\"web\",\"operation\":\"prune\",\"keepWithin\":\""
                + within + "\"}").keepWithin());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|empty message",
        "not json|malformed JSON",
        "{\"group\":\"web\"|malformed JSON",
        "[1,2]|malformed JSON",
        "{\"group\":\"web\",\"operation\":\"snapshot\"} trailing|malformed JSON",
        "{\"group\":\"nope\",\"operation\":\"snapshot\"}|unknown group",
        "{\"group\":\"../etc\",\"operation\":\"snapshot\"}|unknown group",
        "{\"operation\":\"snapshot\"}|unknown group",
        "{\"group\":\"web\",\"operation\":\"rm -rf\"}|operation must be",
        "{\"group\":\"web\",\"operation\":\"snapshot\",\"name\":\"../../etc/passwd\"}|illegal snapshot name",
        "{\"group\":\"web\",\"operation\":\"snapshot\",\"name\":\"/abs/path\"}|illegal snapshot name",
        "{\"group\":\"web\",\"operation\":\"snapshot\",\"name\":\".hidden\"}|illegal snapshot name",
        "{\"group\":\"web\",\"operation\":\"snapshot\",\"name\":\"a\\nb\"}|illegal snapshot name",
        "{\"group\":\"web\",\"operation\":\"snapshot\",\"type\":\"raw\"}|type must be",
        "{\"group\":\"web\",\"operation\":\"snapshot\",\"path\":\"/tmp/x\"}|malformed JSON",
        "{\"group\":\"web\",\"operation\":\"delete\"}|needs a name",
        "{\"group\":\"web\",\"operation\":\"undo\",\"transactionId\":\"../x\"}|undo needs a transactionId",
        "{\"group\":\"web\",\"operation\":\"prune\",\"keepLast\":-1}|keep counts",
        "{\"group\":\"web\",\"operation\":\"prune\",\"keepWithin\":\"forever\"}|keepWithin",
        "{\"group\":\"web\",\"operation\":\"list\",\"operation\":\"prune\",\"keepLast\":1}|Duplicate field 'operation'",
        "{\"group\":\"web\",\"group\":\"web\",\"operation\":\"list\"}|Duplicate field 'group'",
        "{\"group\":\"web\",\"operation\":\"prune\",\"keepLast\":2.7}|keepLast must be a whole number",
        "{\"group\":\"web\",\"operation\":\"prune\",\"keepDaily\":1e1}|keepDaily must be a whole number",
        "{\"group\":\"web\",\"operation\":\"prune\",\"keepLast\":\"3\"}|keepLast must be a whole number",
        "{\"group\":\"web\",\"operation\":\"prune\",\"keepLast\":1,\"dryRun\":1}|dryRun must be true or false",
    })
    void refused(String body, String reason) {
        BadRequestException e = assertThrows(BadRequestException.class, () -> validator.validate(body));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void oversizedMessagesAreRefusedBeforeParsing() {
        String big = "{\"group\":\"web\",\"operation\":\"snapshot\",\"name\":\"" + "x".repeat(20_000) + "\"}";
        BadRequestException e = assertThrows(BadRequestException.class, () -> validator.validate(big));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }
}
