package sdm.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class AdminShellTest {

    @Test
    void wordsThatGogoWouldReadAsNumbersAreQuoted() {
        assertEquals("sdm:call --node \"694557e7\" --timeout \"3\" kit add \"-2\" \"007\" x1 \"a b\"",
                AdminShell.commandLine(List.of("sdm:call", "--node", "694557e7", "--timeout", "3", "kit", "add", "-2",
                        "007", "x1", "a b")));
    }
}
