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
import java.nio.file.NoSuchFileException;
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

    /** A journal whose intent is not yet durable; one left by a dead process touched nothing. */
    private static final String TEMP = ".log.new";

    private final Path live;
    private final Path history;
    private final java.util.Map<Path, TransactionRecord> parsed = new java.util.HashMap<>();

    Journal(Path stateDir) throws IOException {
        this.live = stateDir.resolve("journal");
        this.history = stateDir.resolve("history");
        Files.createDirectories(live);
        Files.createDirectories(history);
    }

    /**
     * Creates the transaction's journal and makes its intent durable. The intent is written to a
     * temporary file that is renamed into place once synced, so every journal file holds a
     * complete begin record: one without it is damage, never a crash (POSIX locks follow the inode
     * through the rename, so the owner's lock holds throughout).
     */
    Log begin(String id, List<SnapshotRequest> requests, long time) throws IOException {
        Path file = live.resolve(id + ".log");
        Path temp = live.resolve(id + TEMP);
        FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        boolean renamed = false;
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new IOException("journal " + temp + " is locked by another process");
            }
            Log log = new Log(id, file, ch);
            log.append(JournalRecord.begin(id, time, requests), true);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            AtomicFiles.syncDirectory(live);
            return log;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(renamed ? file : temp);
            throw e;
        }
    }

    /**
     * A transaction found in the journal without an end, and not running in this process. A
     * damaged one answers every question with {@link JournalDamagedException}, so recovery leaves
     * it pending, journal kept, whatever path it takes.
     */
    record Unfinished(String id, Path file, List<JournalRecord> records, JournalDamagedException damage) {
        boolean committed() {
            checkIntact();
            return records.stream().anyMatch(r -> JournalRecord.COMMIT.equals(r.rec()));
        }

        List<SnapshotRequest> requests() {
            checkIntact();
            return records.get(0).requests();
        }

        public List<JournalRecord> records() {
            checkIntact();
            return records;
        }

        private void checkIntact() {
            if (damage != null) {
                throw damage;
            }
        }
    }

    List<Unfinished> unfinished(Set<String> runningHere) throws IOException {
        List<Unfinished> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(live)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(TEMP)) {
                    deleteIfAbandoned(f);
                    continue;
                }
                if (!name.endsWith(".log")) {
                    continue;
                }
                String id = name.substring(0, name.length() - ".log".length());
                if (runningHere.contains(id)) {
                    continue;
                }
                List<JournalRecord> records;
                try {
                    records = readIfAbandoned(f);
                } catch (NoSuchFileException e) {
                    continue; // its owner ended it and filed it under history meanwhile: done
                } catch (JournalDamagedException e) {
                    out.add(new Unfinished(id, f, List.of(), e));
                    continue;
                }
                if (records == null) {
                    continue;
                }
                if (JournalRecord.END.equals(records.get(records.size() - 1).rec())) {
                    moveToHistory(f, id);
                    continue;
                }
                out.add(new Unfinished(id, f, records, null));
            }
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    /** A journal whose begin never became durable, left by a dead process: nothing was touched. */
    private static void deleteIfAbandoned(Path temp) throws IOException {
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.tryLock() == null) {
                return; // a transaction being begun right now
            }
            Files.delete(temp);
        } catch (NoSuchFileException e) {
            // renamed into place by its owner meanwhile
        }
    }

    /**
     * Reads a journal whose owner is gone (null while another process holds it). Only a torn last
     * record, the write under way when the owner died, counts as not written; any other record that
     * is not exactly as written, or a missing intent, is damage.
     */
    private static List<JournalRecord> readIfAbandoned(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return null;
            }
            List<JournalRecord> records = parse(f, Files.readAllBytes(f), true);
            if (records.isEmpty() || !JournalRecord.BEGIN.equals(records.get(0).rec())) {
                throw new JournalDamagedException(f, "it has no intact begin record");
            }
            return records;
        }
    }

    /**
     * The records of one journal file. With {@code sealed}, every record must carry its checksum
     * (history written before checksums existed is read unsealed).
     */
    static List<JournalRecord> parse(Path f, byte[] bytes, boolean sealed) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        List<JournalRecord> records = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean last = i == lines.length - 1 || i == lines.length - 2 && lines[lines.length - 1].isEmpty();
            if (line.isEmpty() && i == lines.length - 1) {
                break;
            }
            String json = line.indexOf(JournalLine.SEAL) >= 0 || sealed ? JournalLine.unseal(line) : line;
            JournalRecord r = null;
            if (json != null) {
                try {
                    r = Reader.JSON.readValue(json, JournalRecord.class);
                } catch (JsonProcessingException e) {
                    r = null;
                }
            }
            if (r == null) {
                if (last) {
                    break; // a torn last record: the write under way when the owner died
                }
                throw new JournalDamagedException(f, "record " + (i + 1) + " is not as written");
            }
            records.add(r);
        }
        return records;
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
                List<JournalRecord> records = parse(f, Files.readAllBytes(f), false);
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
        byte[] line = (JournalLine.sealed(r) + "\n").getBytes(StandardCharsets.UTF_8);
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
