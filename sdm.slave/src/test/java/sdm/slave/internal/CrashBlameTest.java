package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrashBlameTest {

    @TempDir
    Path dir;

    private final List<CrashMarks.Mark> marks = List.of(
            new CrashMarks.Mark(3, "alpha", "divide"),
            new CrashMarks.Mark(5, "beta", "sleep"),
            new CrashMarks.Mark(CrashMarks.AGENT_SLOT, "gamma", "#loading its library"));

    private void crashReport(long pid, String thread) throws Exception {
        Files.writeString(dir.resolve("hs_err_pid" + pid + ".log"), """
                # A fatal error has been detected by the Java Runtime Environment:
                #  SIGSEGV (0xb) at pc=0x00007f, pid=%d, tid=42
                ---------------  T H R E A D  ---------------

                Current thread (0x00007f2a4c0012a0):  JavaThread "%s" daemon [_thread_in_native, id=42]
                """.formatted(pid, thread));
    }

    @Test
    void theProgramOnTheFaultingCallThreadIsBlamedAndNoOther() throws Exception {
        crashReport(1234, CallThreads.PREFIX + (3 + CrashMarks.AGENT_SLOT));
        CrashBlame blame = new CrashBlame(List.of(dir.resolve("absent"), dir), "sdm-programs");
        assertThat(blame.blame(new CrashMarks.Previous(1234, marks)))
                .containsExactly(java.util.Map.entry("alpha", "node crashed during divide()"));
    }

    @Test
    void aCrashOnTheAgentThreadBlamesWhatItWasLoading() throws Exception {
        crashReport(77, "sdm-programs");
        CrashBlame blame = new CrashBlame(List.of(dir), "sdm-programs");
        assertThat(blame.blame(new CrashMarks.Previous(77, marks)))
                .containsExactly(java.util.Map.entry("gamma", "node crashed while loading its library"));
    }

    @Test
    void withoutACrashReportOrOnAnotherThreadNobodyIsBlamed() throws Exception {
        CrashBlame blame = new CrashBlame(List.of(dir), "sdm-programs");
        assertThat(blame.blame(new CrashMarks.Previous(99, marks))).isEmpty();
        crashReport(100, "main");
        assertThat(blame.blame(new CrashMarks.Previous(100, marks))).isEmpty();
        crashReport(101, CallThreads.PREFIX + "x");
        assertThat(blame.blame(new CrashMarks.Previous(101, marks))).isEmpty();
    }
}
