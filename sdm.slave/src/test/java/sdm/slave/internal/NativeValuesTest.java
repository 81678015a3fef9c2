package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

import sdm.archive.NativeType;

class NativeValuesTest {

    @Test
    void eachParameterTypeHasTheLayoutOfItsCType() {
        assertThat(NativeValues.layout(NativeType.INT)).isEqualTo(ValueLayout.JAVA_INT);
        assertThat(NativeValues.layout(NativeType.LONG)).isEqualTo(ValueLayout.JAVA_LONG);
        assertThat(NativeValues.layout(NativeType.DOUBLE)).isEqualTo(ValueLayout.JAVA_DOUBLE);
        assertThat(NativeValues.layout(NativeType.BOOL)).isEqualTo(ValueLayout.JAVA_BOOLEAN);
        assertThat(NativeValues.layout(NativeType.STRING)).isEqualTo(ValueLayout.ADDRESS);
    }

    @Test
    void voidIsNoParameterType() {
        assertThatThrownBy(() -> NativeValues.layout(NativeType.VOID)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("void is not a parameter type");
    }

    @Test
    void voidReturnsNothing() {
        assertThat(NativeValues.result(NativeType.VOID, 7)).isNull();
    }

    @Test
    void numbersAndBooleansAreTheirOwnResult() {
        assertThat(NativeValues.result(NativeType.INT, 7)).isEqualTo(7);
        assertThat(NativeValues.result(NativeType.LONG, 7L)).isEqualTo(7L);
        assertThat(NativeValues.result(NativeType.DOUBLE, 0.5)).isEqualTo(0.5);
        assertThat(NativeValues.result(NativeType.BOOL, true)).isEqualTo(true);
    }

    @Test
    void aReturnedStringIsCopiedOut() {
        Object text;
        try (Arena a = Arena.ofConfined()) {
            text = NativeValues.result(NativeType.STRING, a.allocateFrom("héllo"));
        }
        assertThat(text).isEqualTo("héllo");
    }

    @Test
    void aNullStringIsNull() {
        assertThat(NativeValues.result(NativeType.STRING, MemorySegment.NULL)).isNull();
    }

    @Test
    void aStringEndingAtTheLimitIsRead() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(NativeValues.MAX_STRING);
            s.fill((byte) 'a');
            s.set(ValueLayout.JAVA_BYTE, NativeValues.MAX_STRING - 1, (byte) 0);
            assertThat((String) NativeValues.result(NativeType.STRING, s)).hasSize(NativeValues.MAX_STRING - 1);
        }
    }

    @Test
    void aStringWithoutItsEndWithinTheLimitIsRefused() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(NativeValues.MAX_STRING + 1);
            s.fill((byte) 'a');
            s.set(ValueLayout.JAVA_BYTE, NativeValues.MAX_STRING, (byte) 0);
            assertThatThrownBy(() -> NativeValues.result(NativeType.STRING, s))
                    .isInstanceOf(IllegalStateException.class).hasMessage("the returned string is over 65536 bytes");
        }
    }
}
