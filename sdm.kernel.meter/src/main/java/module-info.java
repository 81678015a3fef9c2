/**
 * The kernel's heap meter: a Truffle instrument, found by Truffle on the module path, whose one
 * service measures the heap that one JavaScript context retains.
 */
module sdm.kernel.meter {
    requires org.graalvm.polyglot;
    requires org.graalvm.truffle;

    exports sdm.kernel.meter;

    provides com.oracle.truffle.api.instrumentation.provider.TruffleInstrumentProvider
            with sdm.kernel.meter.HeapMeterProvider;
}
