package org.jxenstore.store;

import java.util.ArrayList;
import java.util.List;
import org.jxenstore.protocol.Wire;

/**
 * Path syntax: canonicalisation of relative paths and C xenstored's validity rules.
 *
 * <p>Paths are canonical absolute strings ("/", "/a/b") or special event names ("@releaseDomain").
 */
public final class NodePath {
    public static final String ROOT = "/";
    public static final String INTRODUCE_DOMAIN = "@introduceDomain";
    public static final String RELEASE_DOMAIN = "@releaseDomain";

    private static final String LOCAL_DOMAIN = "/local/domain/";

    private NodePath() {
    }

    /** {@code /local/domain/<domid>}, the home of a domain. */
    public static String home(int domid) {
        return LOCAL_DOMAIN + Integer.toUnsignedString(domid);
    }

    /** Relative paths resolve under the caller's home, as in C xenstored. */
    public static String canonicalize(String raw, int callerDomid) {
        if (raw.startsWith("/") || raw.startsWith("@")) {
            return raw;
        }
        return home(callerDomid) + "/" + raw;
    }

    public static boolean isRelative(String raw) {
        return !raw.startsWith("/") && !raw.startsWith("@");
    }

    /**
     * C's {@code is_valid_nodename}: absolute, no trailing or double slash, only
     * {@code [A-Za-z0-9/_@-]}, and at most {@code pathMax} characters counted after
     * {@code /local/domain/<domid>/} for paths below a domain's home (so that a domain's paths stay
     * valid when it migrates to another domid). C 4.17 applies the limit to every connection.
     */
    public static boolean isValid(String path, int pathMax) {
        if (!path.startsWith("/")) {
            return false;
        }
        if (path.length() > 1 && path.endsWith("/")) {
            return false;
        }
        if (path.contains("//")) {
            return false;
        }
        if (path.length() > Wire.ABS_PATH_MAX) {
            return false;
        }
        int checked = path.length() - homePrefixLength(path);
        if (pathMax > 0 && checked > pathMax) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '/' || c == '_' || c == '@' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Length of a leading {@code /local/domain/<1 to 5 digits>/}, else 0 (C's
     * {@code sscanf("/local/domain/%5u/%n")}).
     */
    static int homePrefixLength(String path) {
        if (!path.startsWith(LOCAL_DOMAIN)) {
            return 0;
        }
        int i = LOCAL_DOMAIN.length();
        int digits = 0;
        while (i < path.length() && Character.isDigit(path.charAt(i)) && digits < 5) {
            i++;
            digits++;
        }
        if (digits == 0 || i >= path.length() || path.charAt(i) != '/') {
            return 0;
        }
        return i + 1;
    }

    /** The parent of an absolute path; the root's parent is {@code null}. */
    public static String parent(String path) {
        if (path.equals(ROOT)) {
            return null;
        }
        int i = path.lastIndexOf('/');
        return i == 0 ? ROOT : path.substring(0, i);
    }

    /** The last component of an absolute path. */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public static String child(String parent, String name) {
        return parent.equals(ROOT) ? "/" + name : parent + "/" + name;
    }

    /** The ancestors of a path, nearest first, ending with the root. */
    public static List<String> ancestors(String path) {
        List<String> out = new ArrayList<>();
        for (String p = parent(path); p != null; p = parent(p)) {
            out.add(p);
        }
        return out;
    }

    /** Strips the caller's home prefix for a watch registered with a relative path. */
    public static String relativize(String path, int domid) {
        String prefix = home(domid) + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
    }
}
