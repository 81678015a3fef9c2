package sdm.kernel.meter;

import java.util.Collection;
import java.util.List;

import org.graalvm.polyglot.SandboxPolicy;

import com.oracle.truffle.api.instrumentation.TruffleInstrument;
import com.oracle.truffle.api.instrumentation.provider.TruffleInstrumentProvider;

/**
 * How Truffle finds the instrument (a service of the module). Written by hand: Truffle's
 * annotation processor would generate the same class from a registration on the instrument.
 */
@TruffleInstrument.Registration(id = HeapMeter.ID, name = "SDM heap meter", services = HeapMeter.class,
        sandbox = SandboxPolicy.CONSTRAINED)
public final class HeapMeterProvider extends TruffleInstrumentProvider {

    @Override
    protected String getInstrumentClassName() {
        return HeapMeterInstrument.class.getName();
    }

    @Override
    protected Object create() {
        return new HeapMeterInstrument();
    }

    @Override
    protected Collection<String> getServicesClassNames() {
        return List.of(HeapMeter.class.getName());
    }
}
