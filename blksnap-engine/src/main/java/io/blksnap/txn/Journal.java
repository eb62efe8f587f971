package io.blksnap.txn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blksnap.fs.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The write-ahead journal: one JSON-lines file per transaction under {@code <state>/journal},
 * locked by its owner while the transaction runs (so recovery in another process leaves a live
 * transaction alone), moved to {@code <state>/history} when it ends.
 */
final class Journal {

    /** Reads journal lines; created on first use, since a transaction that ends well never reads. */
    private static final class Reader {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private final Path live;
    private final Path history;
    private final java.util.Map<Path, TransactionRecord> parsed = new java.util.HashMap<>();

    Journal(Path stateDir) throws IOException {
        this.live = stateDir.resolve("journal");
        this.history = stateDir.resolve("history");
        Files.createDirectories(live);
        Files.createDirectories(history);
    }

    /** Creates the transaction's journal and makes its intent durable. */
    Log begin(String id, List<SnapshotRequest> requests, long time) throws IOException {
        Path file = live.resolve(id + ".log");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new IOException("journal " + file + " is locked by another process");
            }
            Log log = new Log(id, file, ch);
            log.append(JournalRecord.begin(id, time, requests), true);
            AtomicFiles.syncDirectory(live);
            return log;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** A transaction found in the journal without an end, and not running in this process. */
    record Unfinished(String id, Path file, List<JournalRecord> records) {
        boolean committed() {
            return records.stream().anyMatch(r -> JournalRecord.COMMIT.equals(r.rec()));
        }

        List<SnapshotRequest> requests() {
            return records.get(0).requests();
        }
    }

    List<Unfinished> unfinished(Set<String> runningHere) throws IOException {
        List<Unfinished> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(live, "*.log")) {
            for (Path f : files) {
                String id = f.getFileName().toString().replaceFirst("\\.log$", "");
                if (runningHere.contains(id)) {
                    continue;
                }
                List<JournalRecord> records = readIfAbandoned(f);
                if (records == null) {
                    continue;
                }
                if (records.isEmpty() || !JournalRecord.BEGIN.equals(records.get(0).rec())) {
                    // the intent never became durable: nothing was touched
                    Files.delete(f);
                    continue;
                }
                if (JournalRecord.END.equals(records.get(records.size() - 1).rec())) {
                    moveToHistory(f, id);
                    continue;
                }
                out.add(new Unfinished(id, f, records));
            }
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    /** Reads a journal whose owner is gone (null while another process holds it). */
    private static List<JournalRecord> readIfAbandoned(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return null;
            }
            List<JournalRecord> records = new ArrayList<>();
            String[] lines = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                try {
                    records.add(Reader.JSON.readValue(lines[i], JournalRecord.class));
                } catch (JsonProcessingException e) {
                    if (i < lines.length - 1) {
                        throw new IOException("journal " + f + " is damaged at line " + (i + 1), e);
                    }
                    // a torn last line: the write that was under way when the process died
                }
            }
            return records;
        }
    }

    void finishAbandoned(Unfinished u, TransactionStatus status, String reason) throws IOException {
        try (FileChannel ch = FileChannel.open(u.file(), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            writeLine(ch, JournalRecord.end(status, reason));
            ch.force(true);
        }
        moveToHistory(u.file(), u.id());
    }

    private void moveToHistory(Path f, String id) throws IOException {
        Files.move(f, history.resolve(id + ".log"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.syncDirectory(live);
        AtomicFiles.syncDirectory(history);
    }

    /** Finished transactions, oldest first. History files never change, so each is parsed once. */
    synchronized List<TransactionRecord> finished() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(history, "*.log")) {
            dir.forEach(files::add);
        }
        files.sort(null);
        List<TransactionRecord> out = new ArrayList<>(files.size());
        for (Path f : files) {
            TransactionRecord r = parsed.get(f);
            if (r == null) {
                List<JournalRecord> records = new ArrayList<>();
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        records.add(Reader.JSON.readValue(line, JournalRecord.class));
                    }
                }
                if (records.isEmpty() || !JournalRecord.BEGIN.equals(records.get(0).rec())
                        || !JournalRecord.END.equals(records.get(records.size() - 1).rec())) {
                    continue;
                }
                r = TransactionRecord.of(records);
                parsed.put(f, r);
            }
            out.add(r);
        }
        return out;
    }

    /** True while the transaction's journal is in the live journal directory (not ended, or ending). */
    boolean isLive(String id) {
        return Files.exists(live.resolve(id + ".log"));
    }

    private static void writeLine(FileChannel ch, JournalRecord r) throws IOException {
        byte[] line = (JournalLine.encode(r) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.wrap(line);
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
    }

    /** The open journal of a running transaction. */
    final class Log implements AutoCloseable {
        private final String id;
        private final Path file;
        private final FileChannel ch;
        private boolean finished;

        private Log(String id, Path file, FileChannel ch) {
            this.id = id;
            this.file = file;
            this.ch = ch;
        }

        synchronized void append(JournalRecord r, boolean durable) throws IOException {
            writeLine(ch, r);
            if (durable) {
                ch.force(false);
            }
        }

        /** Records the end durably and files the journal under history. */
        synchronized void finish(TransactionStatus status, String reason) throws IOException {
            append(JournalRecord.end(status, reason), true);
            moveToHistory(file, id); // still holding the lock, so no recovery races the move
            finished = true;
            ch.close();
        }

        /** True once the end is recorded and the journal filed under history. */
        synchronized boolean finished() {
            return finished;
        }

        @Override
        public synchronized void close() throws IOException {
            ch.close();
        }
    }
}
