package org.iommufd4j.selftest.runner;

import java.io.PrintWriter;

/**
 * TAP 13 lines as kselftest prints them. Every line goes through {@link #line} so a nested stream
 * (one driver of {@code --driver all}) can be indented as kselftest's runner does, with "# ".
 */
final class Tap {
    private final PrintWriter out;
    private final String prefix;

    Tap(PrintWriter out, String prefix) {
        this.out = out;
        this.prefix = prefix;
    }

    void line(String s) {
        out.println(prefix + s);
        out.flush();
    }

    void header(int planned) {
        line("TAP version 13");
        line("1.." + planned);
    }

    void diagnostic(String text) {
        for (String l : text.split("\\R")) {
            line("# " + l);
        }
    }

    static String ok(int n, String name) {
        return "ok " + n + " " + name;
    }

    static String skip(int n, String name, String reason) {
        return "ok " + n + " " + name + " # SKIP " + oneLine(reason);
    }

    static String notOk(int n, String name) {
        return "not ok " + n + " " + name;
    }

    /** kselftest's closing lines: the PASSED/FAILED line and the Totals line. */
    static String[] totals(DriverResult r) {
        String verdict = (r.fail() == 0 ? "PASSED: " : "FAILED: ") + r.pass() + " / " + r.planned() + " tests passed.";
        String totals = "Totals: pass:" + r.pass() + " fail:" + r.fail() + " xfail:0 xpass:0 skip:" + r.skip() + " error:0";
        return new String[] {verdict, totals};
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
