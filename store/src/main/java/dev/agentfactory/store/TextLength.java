package dev.agentfactory.store;

/**
 * String lengths as the tables' {@code char_length} checks and the contract's codec count them: in characters
 * (code points), not UTF-16 units. With {@link String#length()} a name of 200 emoji, which the database and the
 * codec accept, would be refused as 400 long.
 */
public final class TextLength {

    private TextLength() {
    }

    /** Whether {@code s} has {@code min} to {@code max} characters. */
    public static boolean within(String s, int min, int max) {
        int length = s.codePointCount(0, s.length());
        return length >= min && length <= max;
    }
}
