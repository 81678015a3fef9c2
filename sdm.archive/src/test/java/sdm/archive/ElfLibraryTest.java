package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ELF scan on libraries whose symbol tables were rewritten to cost as much as they can. */
class ElfLibraryTest {

    private static final int SHT_DYNSYM = 11;
    private static final Set<String> WANTED = Set.of("add", "greet", "hidden", "absent");

    private static byte[] library;

    @BeforeAll
    static void compile() throws Exception {
        library = TestLibraries.library();
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Where the section header of the dynamic symbols ({@code link}: false) or of their strings starts. */
    private static int section(byte[] elf, boolean link) {
        ByteBuffer b = le(elf);
        long shoff = b.getLong(0x28);
        int size = b.getShort(0x3a);
        for (int i = 0; i < b.getShort(0x3c); i++) {
            int sh = (int) (shoff + (long) i * size);
            if (b.getInt(sh + 4) == SHT_DYNSYM) {
                return link ? (int) (shoff + (long) b.getInt(sh + 40) * size) : sh;
            }
        }
        throw new IllegalArgumentException("no dynamic symbols");
    }

    private static Set<String> scan(byte[] elf) throws ArchiveException {
        return ElfLibrary.definedFunctions(ByteBuffer.wrap(elf), "x86_64", WANTED);
    }

    @Test
    void theDefinedFunctionsLookedForAreFound() throws Exception {
        assertThat(scan(library)).containsExactlyInAnyOrder("add", "greet");
    }

    @Test
    void moreSymbolsThanTheCapAreRefused() {
        long count = ElfLibrary.MAX_SYMBOLS + 1L;
        byte[] elf = Arrays.copyOf(library, (int) (library.length + count * 24));
        int dynsym = section(elf, false);
        le(elf).putLong(dynsym + 24, library.length).putLong(dynsym + 32, count * 24);
        assertThatThrownBy(() -> scan(elf)).isInstanceOf(ArchiveException.class)
                .hasMessage("has " + count + " dynamic symbols, over the limit of " + ElfLibrary.MAX_SYMBOLS);
    }

    @Test
    void aNameOverTheCapIsRefused() {
        byte[] elf = Arrays.copyOf(library, library.length + ElfLibrary.MAX_NAME_BYTES + 3);
        Arrays.fill(elf, library.length + 1, elf.length - 1, (byte) 'A');
        int dynstr = section(elf, true);
        le(elf).putLong(dynstr + 24, library.length).putLong(dynstr + 32, ElfLibrary.MAX_NAME_BYTES + 3);
        assertThatThrownBy(() -> scan(elf)).isInstanceOf(ArchiveException.class)
                .hasMessageStartingWith("has a name of over " + ElfLibrary.MAX_NAME_BYTES + " bytes");
    }

    /**
     * As many function symbols as allowed, each naming the same string of nearly the longest
     * length allowed: read to its end each time, that would be 16 GiB of reads.
     */
    @Test
    void theWorstTableWithinTheCapsIsScannedQuickly() {
        int count = ElfLibrary.MAX_SYMBOLS;
        int name = ElfLibrary.MAX_NAME_BYTES - 1;
        int symbols = library.length;
        int strings = symbols + count * 24;
        byte[] elf = Arrays.copyOf(library, strings + 1 + name + 1);
        ByteBuffer b = le(elf);
        for (int i = 0; i < count; i++) {
            int s = symbols + i * 24;
            b.putInt(s, 1).put(s + 4, (byte) 0x12).putShort(s + 6, (short) 1);
        }
        Arrays.fill(elf, strings + 1, strings + 1 + name, (byte) 'A');
        b.putLong(section(elf, false) + 24, symbols).putLong(section(elf, false) + 32, (long) count * 24);
        b.putLong(section(elf, true) + 24, strings).putLong(section(elf, true) + 32, name + 2);
        Set<String> found = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> scan(elf));
        assertThat(found).isEmpty();
    }
}
