package sdm.master.internal;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import sdm.api.node.DataFolder;

/** What a master keeps from its start to its stop, for each {@link LeaderTerm} to work with. */
record MasterParts(String id, DataFolder data, ProgramStore store, Enrollments enrollments, NodeRegistry registry,
        NodeCounterBook nodeCounters, ProgramLogs logs, Uploads uploads, ExecutorService uploadWriter,
        Supplier<AdminShell> shell, LongSupplier heartbeatMs, LongSupplier livenessMs, Path privateRoot) {
}
