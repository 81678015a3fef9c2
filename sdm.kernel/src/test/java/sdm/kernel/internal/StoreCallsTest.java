package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StoreCallsTest extends KernelCase {

    private static final String OK = "ok:";

    @BeforeEach
    void start() throws IOException {
        k = new TestKernel(folder);
    }

    private static String text(int chars) {
        return "\"" + "x".repeat(chars - 2) + "\"";
    }

    @Test
    void aStoredValueComesBackAsItWasSet() {
        k.run("sdm.store.set('k', {a: [1, 'b'], c: null});"
                + "console.log(JSON.stringify(sdm.store.get('k')), sdm.store.get('missing') === undefined);");
        assertThat(k.nextLog()).isEqualTo("{\"a\":[1,\"b\"],\"c\":null} true");
    }

    @Test
    void keysAreInTheOrderTheyWereFirstSetAndARemovedKeyIsGone() {
        SystemCalls calls = k.systemCalls();
        assertThat(calls.storeKeys()).isEqualTo("ok:[]");
        calls.storeSet("b", "1");
        calls.storeSet("a", "2");
        calls.storeSet("b", "3");
        assertThat(calls.storeKeys()).isEqualTo("ok:[\"b\",\"a\"]");
        assertThat(calls.storeGet("b")).isEqualTo("ok:3");
        assertThat(calls.storeRemove("b")).isEqualTo(OK);
        assertThat(calls.storeRemove("never-set")).isEqualTo(OK);
        assertThat(calls.storeKeys()).isEqualTo("ok:[\"a\"]");
        assertThat(calls.storeGet("b")).isEqualTo(OK);
    }

    @Test
    void valuesOutliveTheProgramInItsPrivateFolder() {
        k.systemCalls().storeSet("k", "{\"n\":1}");
        assertThat(folder.resolve("store.json")).exists();
        assertThat(k.systemCalls().storeGet("k")).isEqualTo("ok:{\"n\":1}");
    }

    @Test
    void theStoreIsOpenedOnceAtItsFirstUse() {
        SystemCalls calls = k.systemCalls();
        assertThat(k.host.foldersGiven).hasValue(0);
        calls.storeGet("k");
        calls.storeSet("k", "1");
        calls.storeKeys();
        calls.storeRemove("k");
        assertThat(k.host.foldersGiven).hasValue(1);
    }

    @Test
    void aKeyHasOneTo256Characters() {
        SystemCalls calls = k.systemCalls();
        String refused = "error:RangeError:a store key must have 1 to 256 characters";
        assertThat(calls.storeSet("", "1")).isEqualTo(refused);
        assertThat(calls.storeSet("k".repeat(257), "1")).isEqualTo(refused);
        assertThat(calls.storeSet("k".repeat(256), "1")).isEqualTo(OK);
    }

    @Test
    void aValueIsAtMost64KiBOfJson() {
        SystemCalls calls = k.systemCalls();
        assertThat(calls.storeSet("k", text(65_537)))
                .isEqualTo("error:RangeError:a stored value is at most 65536 characters of JSON, this one 65537");
        assertThat(calls.storeSet("k", text(65_536))).isEqualTo(OK);
    }

    @Test
    void theStoreHoldsAtMost1000Keys() {
        SystemCalls calls = k.systemCalls();
        for (int i = 0; i < 1_000; i++) {
            assertThat(calls.storeSet("k" + i, "1")).isEqualTo(OK);
        }
        assertThat(calls.storeSet("one-more", "1")).isEqualTo("error:RangeError:the store holds at most 1000 keys");
        assertThat(calls.storeSet("k7", "2")).as("a key it holds").isEqualTo(OK);
    }

    @Test
    void theStoreHoldsAtMostAMebibyteInAllCountingReplacedAndRemovedValuesOut() {
        SystemCalls calls = k.systemCalls();
        for (int i = 0; i < 15; i++) {
            assertThat(calls.storeSet("k" + i, text(65_536))).isEqualTo(OK);
        }
        String full = "error:RangeError:the store holds at most 1048576 characters in all";
        assertThat(calls.storeSet("k15", text(65_536))).isEqualTo(full);
        assertThat(calls.storeSet("k0", text(65_536))).as("replaced").isEqualTo(OK);
        assertThat(calls.storeSet("k15", text(65_536))).isEqualTo(full);
        calls.storeRemove("k1");
        assertThat(calls.storeSet("k15", text(65_536))).as("after a removal").isEqualTo(OK);
    }

    @Test
    void aStoreLimitReachesTheProgramAsARangeError() {
        k.run(TestKernel.show("sdm.store.set('', 1)"));
        assertThat(k.nextLog()).isEqualTo("RangeError: a store key must have 1 to 256 characters");
    }

    @Test
    void aValueThatIsNotPlainDataIsATypeError() {
        k.run(TestKernel.show("sdm.store.set('k', () => 1)"));
        assertThat(k.nextLog()).isEqualTo("TypeError: a stored value must be plain data (JSON)");
    }

    @Test
    void aDamagedStoreIsAnErrorThatNamesItsFile() throws IOException {
        Files.writeString(folder.resolve("store.json"), "{not json");
        SystemCalls calls = k.systemCalls();
        String damaged = "error:Error:the store " + folder.resolve("store.json") + " is damaged: ";
        assertThat(calls.storeGet("k")).startsWith(damaged);
        assertThat(calls.storeKeys()).startsWith(damaged);
    }

    @Test
    void aStoreThatCannotBeSavedIsAnError() {
        k.host.folder = folder.resolve("gone");
        assertThat(k.systemCalls().storeSet("k", "1")).startsWith("error:Error:cannot save the store: ")
                .contains("store.json.tmp");
    }

    @Test
    void aChangeThatCannotBeSavedIsTakenBackInMemoryToo() throws IOException {
        k = new TestKernel(folder);
        SystemCalls calls = k.systemCalls();
        assertThat(calls.storeSet("k", "1")).isEqualTo(OK);
        // a folder where the store writes its next version: the save fails, even for root
        Files.createDirectories(folder.resolve("store.json.tmp"));
        assertThat(calls.storeSet("k", "2")).startsWith("error:Error:cannot save the store: ");
        assertThat(calls.storeSet("new", "3")).startsWith("error:Error:cannot save the store: ");
        assertThat(calls.storeGet("k")).isEqualTo("ok:1");
        assertThat(calls.storeKeys()).isEqualTo("ok:[\"k\"]");
        assertThat(calls.storeRemove("k")).startsWith("error:Error:");
        assertThat(calls.storeGet("k")).isEqualTo("ok:1");
    }
}
