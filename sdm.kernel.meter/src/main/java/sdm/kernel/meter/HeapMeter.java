package sdm.kernel.meter;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures the heap one JavaScript context retains: every object reachable from the context
 * (its globals, closures, pending jobs, typed arrays' buffers), without the engine's shared
 * structures. Found with {@code engine.getInstruments().get(HeapMeter.ID).lookup(HeapMeter.class)}.
 */
public interface HeapMeter {

    String ID = "sdm-heap-meter";

    /** The context entered on the calling thread, as a token for {@link #retainedBytes}. */
    Object enteredContext();

    /**
     * The bytes the context retains, walking its object graph on the calling thread; the walk
     * ends early once {@code stopAtBytes} is reached (the result is then at least that) or when
     * {@code cancelled} is set. The context may run meanwhile: the figure is then approximate.
     */
    long retainedBytes(Object context, long stopAtBytes, AtomicBoolean cancelled);
}
