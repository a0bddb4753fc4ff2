package org.jxenstore.it.peers;

import java.util.List;

/**
 * What a finished (or timed-out and killed) subprocess left behind.
 *
 * @param command the command line
 * @param exitCode its exit status (-1 if it timed out and was killed)
 * @param stdout everything it wrote to stdout
 * @param stderr everything it wrote to stderr
 * @param timedOut whether it had to be killed because it ran past its timeout
 */
public record ToolResult(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

    /** A multi-line description for assertion messages: command, status and all output. */
    public String describe() {
        return "\n$ " + String.join(" ", command)
                + "\n[" + (timedOut ? "TIMED OUT, killed" : "exit " + exitCode) + "]"
                + "\n--- stdout ---\n" + stdout
                + (stdout.isEmpty() || stdout.endsWith("\n") ? "" : "\n")
                + "--- stderr ---\n" + stderr
                + (stderr.isEmpty() || stderr.endsWith("\n") ? "" : "\n")
                + "--------------";
    }

    /** stdout split into lines (no trailing empty line for a final newline). */
    public List<String> stdoutLines() {
        return stdout.lines().toList();
    }

    /** True if it finished by itself with exit status 0. */
    public boolean ok() {
        return !timedOut && exitCode == 0;
    }
}
