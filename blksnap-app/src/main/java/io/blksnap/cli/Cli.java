package io.blksnap.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Output and error handling shared by all subcommands. */
final class Cli {

    static final int EXIT_FAILURE = 1;

    private Cli() {
    }

    /**
     * The two picocli handlers, as a class rather than method references: a method reference
     * would cost every command the lambda bootstrap at start-up.
     */
    static final class Handlers implements IExecutionExceptionHandler, IParameterExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
            return handleFailure(e, cmd, parsed);
        }

        @Override
        public int handleParseException(ParameterException e, String[] args) {
            return handleUsageError(e, args);
        }
    }

    /** The JSON writer, made on first use: only --json pays for Jackson's start-up. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    static void printJson(PrintWriter out, Object value) {
        try {
            out.println(Json.MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
        out.flush();
    }

    /** An exception from a command: one line {@code blksnap: IMAGE: reason} on stderr, exit code 1. */
    static int handleFailure(Exception e, CommandLine cmd, ParseResult parsed) {
        return failure(cmd.getErr(), cmd.getCommand() instanceof Subcommand c ? c.subject() : null, e);
    }

    /** Prints the error line for {@code e} about {@code subject} (none if null); returns exit code 1. */
    static int failure(PrintWriter err, String subject, Exception e) {
        err.println("blksnap: " + (subject != null ? subject + ": " : "") + reason(e));
        err.flush();
        return EXIT_FAILURE;
    }

    /** Usage errors: picocli's message and a pointer to --help, exit code 2. */
    static int handleUsageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String msg = String.valueOf(e.getMessage()).replaceFirst("^Error: ", "");
        err.println("blksnap: " + msg);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The reason part of an error line: the exception's message, made readable for file system errors. */
    static String reason(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) {
            return e instanceof RuntimeException ? "internal error: " + e : e.getClass().getSimpleName();
        }
        return e instanceof RuntimeException ? "internal error: " + oneLine(msg) : oneLine(msg);
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
