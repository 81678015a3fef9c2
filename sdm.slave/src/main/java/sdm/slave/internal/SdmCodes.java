package sdm.slave.internal;

/** The return codes of {@code include/sdm.h}, with the same values. */
final class SdmCodes {

    static final int OK = 0;
    static final int ENOTCONN = -1;
    static final int ETIMEDOUT = -2;
    static final int ENOEXPORT = -3;
    static final int EARGS = -4;
    static final int ENOTRUNNING = -5;
    static final int EFAILED = -6;
    static final int ETOOBIG = -7;
    static final int ESTOPPED = -8;
    static final int ETHREAD = -9;
    static final int EINVAL = -10;

    private static final String[] NAMES = {"SDM_OK", "SDM_ENOTCONN", "SDM_ETIMEDOUT", "SDM_ENOEXPORT", "SDM_EARGS",
        "SDM_ENOTRUNNING", "SDM_EFAILED", "SDM_ETOOBIG", "SDM_ESTOPPED", "SDM_ETHREAD", "SDM_EINVAL"};

    private SdmCodes() {
    }

    /** The name a code has in sdm.h ({@code SDM_EARGS}), or "error N" for one it does not define. */
    static String name(int code) {
        return code <= 0 && -code < NAMES.length ? NAMES[-code] : "error " + code;
    }
}
