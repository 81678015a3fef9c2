package sdm.archive;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The little a validator must know of an ELF shared object: that it is one (64-bit,
 * little-endian, {@code ET_DYN}), for which processor, and which functions it defines in its
 * dynamic symbol table. Every offset read from the file is bounds-checked: a hostile file gets
 * an {@link ArchiveException}, never an exception of the parser.
 */
final class ElfLibrary {

    /** {@code e_machine} by the arch names manifests use. */
    static final Map<String, Integer> MACHINES = Map.of("x86_64", 62, "aarch64", 183, "riscv64", 243);

    /**
     * Dynamic symbols scanned at most: some ten times what the largest shared objects in common
     * use export (libLLVM exports about 100,000). A table declaring more is crafted; the cap
     * bounds the scan whatever size the section header claims.
     */
    static final int MAX_SYMBOLS = 1 << 20;

    /**
     * The longest string the dynamic string table may hold: mangled C++ names run to a few KiB
     * at most, so a longer one is crafted. The table is checked in one pass before any name is
     * read, and each name is then read only as far as the longest function looked for, so the
     * scan stays linear in the file however the symbols point into the table.
     */
    static final int MAX_NAME_BYTES = 16 << 10;

    private static final int ET_DYN = 3;
    private static final int SHT_STRTAB = 3;
    private static final int SHT_DYNSYM = 11;
    private static final int SYMBOL_SIZE = 24;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;

    private ElfLibrary() {
    }

    /**
     * Which of {@code wanted} the library defines as functions, after checking it is a shared
     * object for {@code arch}.
     */
    static Set<String> definedFunctions(ByteBuffer file, String arch, Set<String> wanted) throws ArchiveException {
        ByteBuffer b = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Integer machine = MACHINES.get(arch);
        if (machine == null) {
            throw new ArchiveException("arch '" + arch + "' is not one SDM can check (" + MACHINES.keySet() + ")");
        }
        if (b.limit() < 64 || b.getInt(0) != 0x464c457f) {
            throw new ArchiveException("is not an ELF file");
        }
        if (b.get(4) != 2 || b.get(5) != 1) {
            throw new ArchiveException("is not a 64-bit little-endian ELF file");
        }
        if (Short.toUnsignedInt(b.getShort(16)) != ET_DYN) {
            throw new ArchiveException("is an ELF file but not a shared object");
        }
        int actual = Short.toUnsignedInt(b.getShort(18));
        if (actual != machine) {
            throw new ArchiveException("is built for ELF machine " + actual + ", not for " + arch);
        }
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        if (shnum == 0 || shentsize < 64 || !fits(b, shoff, (long) shentsize * shnum)) {
            throw new ArchiveException("has no readable section headers");
        }
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) == SHT_DYNSYM) {
                int link = b.getInt(sh + 40);
                if (link < 0 || link >= shnum || b.getLong(sh + 56) != SYMBOL_SIZE) {
                    throw new ArchiveException("has a corrupt dynamic symbol table");
                }
                int str = (int) (shoff + (long) link * shentsize);
                if (b.getInt(str + 4) != SHT_STRTAB) {
                    throw new ArchiveException("has a corrupt dynamic symbol table");
                }
                return symbols(b, b.getLong(sh + 24), b.getLong(sh + 32), b.getLong(str + 24), b.getLong(str + 32),
                        wanted);
            }
        }
        throw new ArchiveException("has no dynamic symbol table");
    }

    private static Set<String> symbols(ByteBuffer b, long symOff, long symSize, long strOff, long strSize,
            Set<String> wanted) throws ArchiveException {
        if (!fits(b, symOff, symSize) || !fits(b, strOff, strSize)) {
            throw new ArchiveException("has a corrupt dynamic symbol table");
        }
        long count = symSize / SYMBOL_SIZE;
        if (count > MAX_SYMBOLS) {
            throw new ArchiveException("has " + count + " dynamic symbols, over the limit of " + MAX_SYMBOLS);
        }
        checkNameLengths(b, strOff, strSize);
        int longest = wanted.stream().mapToInt(String::length).max().orElse(0);
        Set<String> found = new HashSet<>();
        for (long i = 0; i < count; i++) {
            int s = (int) (symOff + i * SYMBOL_SIZE);
            int name = b.getInt(s);
            int type = b.get(s + 4) & 0xf;
            int section = Short.toUnsignedInt(b.getShort(s + 6));
            if ((type == STT_FUNC || type == STT_GNU_IFUNC) && section != 0) {
                String n = string(b, strOff, strSize, name, longest);
                if (n != null && wanted.contains(n)) {
                    found.add(n);
                }
            }
        }
        return found;
    }

    /** No string of the table, NUL to NUL, is over {@link #MAX_NAME_BYTES}: one pass over it. */
    private static void checkNameLengths(ByteBuffer b, long strOff, long strSize) throws ArchiveException {
        int run = 0;
        for (int i = (int) strOff, end = (int) (strOff + strSize); i < end; i++) {
            if (b.get(i) == 0) {
                run = 0;
            } else if (++run > MAX_NAME_BYTES) {
                throw new ArchiveException("has a name of over " + MAX_NAME_BYTES
                        + " bytes in its dynamic string table, longer than any compiler writes");
            }
        }
    }

    /** The name at {@code offset}, or null if it is over {@code max} bytes (and so none of those looked for). */
    private static String string(ByteBuffer b, long strOff, long strSize, int offset, int max) throws ArchiveException {
        if (offset < 0 || offset >= strSize) {
            throw new ArchiveException("has a corrupt string table");
        }
        int start = (int) (strOff + offset);
        int end = start;
        while (end < strOff + strSize && b.get(end) != 0) {
            if (end - start == max) {
                return null;
            }
            end++;
        }
        byte[] bytes = new byte[end - start];
        b.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static boolean fits(ByteBuffer b, long offset, long length) {
        return offset >= 0 && length >= 0 && offset + length <= b.limit() && offset + length >= offset;
    }
}
