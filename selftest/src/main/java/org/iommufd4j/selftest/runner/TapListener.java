package org.iommufd4j.selftest.runner;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.iommufd4j.selftest.kit.KernelCase;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints one driver's run as kselftest's TAP 13: the plan, then "ok N name", "ok N name # SKIP
 * reason" or diagnostics and "not ok N name" as each case ends, then the PASSED/FAILED and Totals
 * lines. A case the plan promised that never reported (its class failed to set up, say) is
 * reported "not ok" with the container's error, so the count always matches the plan.
 */
final class TapListener implements TestExecutionListener {
    /** Lines of a failure's message kept in the diagnostic. */
    private static final int MESSAGE_LINES = 8;

    private final Tap tap;
    private final String driver;
    private final List<KernelCase> planned;
    private final PrintWriter progress;
    private final Set<String> reported = new HashSet<>();
    private final Set<String> fixtureClasses = new HashSet<>();
    private final Map<String, String> containerErrors = new LinkedHashMap<>();
    private int number;
    private int pass;
    private int fail;
    private int skipKernel;
    private int skipMockOnly;
    private int skipPending;

    /**
     * @param progress where to draw a progress line (a terminal's stderr), or null for none
     */
    TapListener(Tap tap, String driver, List<KernelCase> planned, PrintWriter progress) {
        this.tap = tap;
        this.driver = driver;
        this.planned = planned;
        this.progress = progress;
        planned.forEach(c -> fixtureClasses.add(c.fixtureClass().getName()));
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        tap.header(planned.size());
        long fixtures = planned.stream().map(KernelCase::fixture).distinct().count();
        tap.line("# Starting " + planned.size() + " tests from " + fixtures + " fixtures (driver " + driver + ")");
    }

    /**
     * A case the JUnit engine did not run: FixtureExtension disables a mock-only case on another
     * driver and a {@code @Pending} case before their setup, with the reason saying which.
     */
    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
            notRun(id.getDisplayName(), reason);
        } else {
            containerErrors.put(id.getUniqueId(), "skipped: " + reason);
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) {
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                containerErrors.put(id.getUniqueId(), describe(id, result.getThrowable()));
            }
            return;
        }
        String name = id.getDisplayName();
        switch (result.getStatus()) {
            case SUCCESSFUL -> {
                pass++;
                emit(name, Tap.ok(++number, name));
            }
            // The case ran and skipped itself (an assumption), as the C test calls SKIP(): the
            // kernel's own skip, which the suite reports the same way but does not count as pending.
            case ABORTED -> {
                skipKernel++;
                String reason = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
                // opentest4j prefixes an assumption's message; TAP shows the case's own words, as SKIP() does.
                emit(name, Tap.skip(++number, name, reason.replaceFirst("^Assumption failed: ", "")));
            }
            case FAILED -> {
                fail++;
                tap.diagnostic(failure(result.getThrowable(), fixtureClasses));
                emit(name, Tap.notOk(++number, name));
            }
        }
    }

    private void notRun(String name, String reason) {
        String r = Tap.oneLine(reason);
        if (r.startsWith("mock-only")) {
            skipMockOnly++;
        } else {
            skipPending++;
        }
        emit(name, Tap.skip(++number, name, r));
    }

    private void emit(String name, String line) {
        reported.add(name);
        clearProgress();
        tap.line(line);
        if (progress != null) {
            progress.print("\r[" + number + "/" + planned.size() + "] " + driver + " " + name);
            progress.flush();
        }
    }

    private void clearProgress() {
        if (progress != null) {
            progress.print("\r\033[K");
            progress.flush();
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        String why = containerErrors.isEmpty() ? "it did not run" : String.join("; ", containerErrors.values());
        for (KernelCase c : planned) {
            if (!reported.contains(c.name())) {
                fail++;
                tap.diagnostic("not run: " + why);
                emit(c.name(), Tap.notOk(++number, c.name()));
            }
        }
        clearProgress();
        for (String l : Tap.totals(result())) {
            tap.line("# " + l);
        }
    }

    DriverResult result() {
        return new DriverResult(driver, planned.size(), pass, fail, skipKernel, skipMockOnly, skipPending);
    }

    private static String describe(TestIdentifier id, Optional<Throwable> t) {
        String where = id.getSource().map(s -> s instanceof ClassSource cs ? cs.getClassName()
                : s instanceof MethodSource ms ? ms.getClassName() + "#" + ms.getMethodName() : s.toString()).orElse(id.getDisplayName());
        return where + ": " + t.map(e -> Tap.oneLine(String.valueOf(e))).orElse("failed");
    }

    /** kselftest puts the failing check's file:line and message before "not ok". */
    static String failure(Optional<Throwable> thrown, Set<String> fixtureClasses) {
        if (thrown.isEmpty()) {
            return "failed";
        }
        Throwable t = thrown.get();
        String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
        if (!(t instanceof AssertionError)) {
            message = t.getClass().getName() + ": " + message;
        }
        String at = "";
        for (StackTraceElement e : t.getStackTrace()) {
            String cls = e.getClassName();
            int nested = cls.indexOf('$');
            if (fixtureClasses.contains(nested < 0 ? cls : cls.substring(0, nested))) {
                at = e.getFileName() + ":" + e.getLineNumber() + ":" + e.getMethodName() + ": ";
                break;
            }
        }
        List<String> lines = message.lines().limit(MESSAGE_LINES).toList();
        return at + String.join("\n", lines);
    }
}
