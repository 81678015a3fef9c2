package sdm.slave.internal;

/**
 * What a C caller of {@code call} gets: a code of {@link SdmCodes} and the bytes for its buffer,
 * the JSON of the result (for {@link SdmCodes#OK}) or the reason in one line.
 */
record CallOutcome(int code, byte[] text) {

    static CallOutcome of(int code, String text) {
        return new CallOutcome(code, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
