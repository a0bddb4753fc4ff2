package org.jxenstore.it.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jxenstore.it.peers.ToolResult;

/**
 * What a guest scenario script printed: its {@code STEP name result} lines, in order, plus the
 * whole run for assertion messages.
 */
public final class Steps {
    private final GuestDaemon daemon;
    private final String what;
    private final ToolResult result;
    private final Map<String, String> steps = new LinkedHashMap<>();
    private final boolean done;

    /** The steps of a run of {@code what} against {@code daemon}. */
    public static Steps of(GuestDaemon daemon, String what, ToolResult result) {
        return new Steps(daemon, what, result);
    }

    private Steps(GuestDaemon daemon, String what, ToolResult result) {
        this.daemon = daemon;
        this.what = what;
        this.result = result;
        boolean sawDone = false;
        for (String line : result.stdoutLines()) {
            if (line.startsWith("STEP ")) {
                String rest = line.substring(5);
                int sp = rest.indexOf(' ');
                steps.put(sp < 0 ? rest : rest.substring(0, sp), sp < 0 ? "" : rest.substring(sp + 1));
            } else if (line.equals("DONE")) {
                sawDone = true;
            }
        }
        this.done = sawDone;
    }

    /** The run, the daemon's state and its log tail: the context of every failure message. */
    public String describe() {
        return "\n" + what + " against the " + daemon + (daemon.alive() ? "" : " [DAEMON IS GONE]")
                + result.describe() + "\n--- daemon.log (tail) ---\n" + daemon.logTail();
    }

    /** Every step, in the order the script printed them. */
    public Map<String, String> all() {
        return steps;
    }

    /** The result of step {@code name} ({@code null} if the script did not print it). */
    public String get(String name) {
        return steps.get(name);
    }

    public int getInt(String name) {
        String v = steps.get(name);
        if (v == null) {
            throw new AssertionError("step " + name + " missing" + describe());
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new AssertionError("step " + name + " = " + v + " is not a number" + describe());
        }
    }

    /** The script ran to its end (printed DONE, exit 0). */
    public Steps assertCompleted() {
        if (!done || !result.ok()) {
            throw new AssertionError("the scenario did not complete" + describe());
        }
        return this;
    }

    /**
     * Asserts steps given as name/expected pairs, all at once: the failure shows every expected
     * step next to what was seen (in the order given).
     */
    public Steps expect(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("name/value pairs expected");
        }
        StringBuilder want = new StringBuilder();
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            String name = nameValuePairs[i];
            want.append(name).append(" = ").append(nameValuePairs[i + 1]).append('\n');
            got.append(name).append(" = ").append(steps.getOrDefault(name, "<missing>")).append('\n');
        }
        assertEquals(want.toString(), got.toString(), this::describe);
        return this;
    }

    @Override
    public String toString() {
        return what + " " + steps;
    }
}
