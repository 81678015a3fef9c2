package sdm.kernel.meter;

import java.util.concurrent.atomic.AtomicBoolean;

import com.oracle.truffle.api.TruffleContext;
import com.oracle.truffle.api.instrumentation.TruffleInstrument;

/** Registers the {@link HeapMeter} service over Truffle's own context heap walk. */
final class HeapMeterInstrument extends TruffleInstrument {

    @Override
    protected void onCreate(Env env) {
        env.registerService(new HeapMeter() {
            @Override
            public Object enteredContext() {
                return env.getEnteredContext();
            }

            @Override
            public long retainedBytes(Object context, long stopAtBytes, AtomicBoolean cancelled) {
                return env.calculateContextHeapSize((TruffleContext) context, stopAtBytes, cancelled);
            }
        });
    }
}
