package org.iommufd4j.selftest.kit;

import java.util.regex.Pattern;

/**
 * A shell glob over case names ({@code fixture.variant.test}), matched against the whole name:
 * {@code *} any run of characters (dots included), {@code ?} one character, {@code [abc]},
 * {@code [a-z]} and {@code [!abc]} one character of (or not of) a set, {@code {a,b}} one of the
 * alternatives, {@code \} quotes the next character. Examples: {@code iommufd.*},
 * {@code iommufd_ioas.no_domain.*}, {@code *.{area,copy_area}}.
 */
public final class Glob {
    private final String pattern;
    private final Pattern regex;

    private Glob(String pattern, Pattern regex) {
        this.pattern = pattern;
        this.regex = regex;
    }

    /** Compiles {@code glob}; an unclosed {@code [} or {@code {}, or a trailing {@code \}, is rejected. */
    public static Glob compile(String glob) {
        StringBuilder re = new StringBuilder();
        int braces = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '\\' -> {
                    if (++i == glob.length()) {
                        throw new IllegalArgumentException("glob '" + glob + "' ends with an unquoted \\");
                    }
                    re.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                case '[' -> i = charClass(glob, i, re);
                case '{' -> {
                    braces++;
                    re.append("(?:");
                }
                case '}' -> {
                    if (braces == 0) {
                        throw new IllegalArgumentException("glob '" + glob + "' has a '}' without '{' at " + i);
                    }
                    braces--;
                    re.append(')');
                }
                case ',' -> re.append(braces > 0 ? "|" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (braces != 0) {
            throw new IllegalArgumentException("glob '" + glob + "' has an unclosed '{'");
        }
        return new Glob(glob, Pattern.compile(re.toString()));
    }

    /** Appends the class that starts at {@code start} ('[') and returns the index of its ']'. */
    private static int charClass(String glob, int start, StringBuilder re) {
        int i = start + 1;
        StringBuilder set = new StringBuilder("[");
        if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
            set.append('^');
            i++;
        }
        boolean first = true;
        for (; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == ']' && !first) {
                re.append(set).append(']');
                return i;
            }
            first = false;
            if (c == '-' && set.length() > 1 && i + 1 < glob.length() && glob.charAt(i + 1) != ']') {
                set.append('-');
            } else {
                // Everything else in a set is literal: quote what a regex class would read specially.
                if (!Character.isLetterOrDigit(c)) {
                    set.append('\\');
                }
                set.append(c);
            }
        }
        throw new IllegalArgumentException("glob '" + glob + "' has an unclosed '[' at " + start);
    }

    /** True when the whole of {@code name} matches. */
    public boolean matches(String name) {
        return regex.matcher(name).matches();
    }

    public String pattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
