package ai.fastai4j.io.download;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Minimal streaming tar reader: POSIX ustar (with prefix), GNU long names ({@code L}/{@code K}), pax extended
 * headers ({@code x}: path, linkpath, size; {@code g} ignored) and base-256 sizes. No dependency: the
 * commons-compress that DJL brings needs commons-lang3, which DJL excludes, for long names and pax headers.
 */
final class TarReader {
    private static final int BLOCK = 512;

    /** One entry; its data is read with {@link #readData} or skipped by the next {@link #next()}. */
    record Entry(String name, char type, long size, String linkName) {
        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }

        boolean isDirectory() {
            return type == '5';
        }
    }

    private final InputStream in;
    private final String archiveName;
    private final byte[] header = new byte[BLOCK];
    private long remaining; // unread data bytes of the current entry
    private long padding; // padding after the current entry's data

    TarReader(InputStream in, String archiveName) {
        this.in = in;
        this.archiveName = archiveName;
    }

    /** The next entry, or null at the end of the archive. */
    Entry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        String longLink = null;
        String paxPath = null;
        String paxLink = null;
        long paxSize = -1;
        while (true) {
            int n = in.readNBytes(header, 0, BLOCK);
            if (n == 0) {
                return null; // end without the two zero blocks: accepted, as GNU tar does
            }
            if (n < BLOCK) {
                throw damaged("truncated header");
            }
            if (allZero(header)) {
                return null;
            }
            verifyChecksum();
            char type = (char) (header[156] & 0xff);
            long size = number(124, 12);
            if (size < 0) {
                throw damaged("negative size");
            }
            switch (type) {
                case 'L' -> longName = cString(readBytes(size), 0, (int) size);
                case 'K' -> longLink = cString(readBytes(size), 0, (int) size);
                case 'x', 'X' -> {
                    byte[] pax = readBytes(size);
                    for (String[] kv : paxRecords(pax)) {
                        switch (kv[0]) {
                            case "path" -> paxPath = kv[1];
                            case "linkpath" -> paxLink = kv[1];
                            case "size" -> paxSize = parsePaxSize(kv[1]);
                            default -> { }
                        }
                    }
                }
                case 'g' -> readBytes(size); // global pax header: nothing we use
                default -> {
                    String name = paxPath != null ? paxPath : longName != null ? longName : headerName();
                    String link = paxLink != null ? paxLink : longLink != null ? longLink : cString(header, 157, 100);
                    long dataSize = paxSize >= 0 ? paxSize : size;
                    Entry e = new Entry(name, type, dataSize, link);
                    // as Python's tarfile: links, directories, devices and fifos carry no data; other types do
                    remaining = type >= '1' && type <= '6' ? 0 : dataSize;
                    padding = (BLOCK - remaining % BLOCK) % BLOCK;
                    return e;
                }
            }
        }
    }

    /** The current entry's data; reading past its end gives -1. */
    InputStream data() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw damaged("truncated entry data");
                }
                remaining -= n;
                return n;
            }
        };
    }

    private String headerName() {
        String name = cString(header, 0, 100);
        boolean posix = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        if (posix) {
            String prefix = cString(header, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private void verifyChecksum() throws IOException {
        long stored = number(148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
        }
        if (sum != stored) {
            throw damaged("header checksum mismatch (not a tar archive, or damaged)");
        }
    }

    /** An octal field, or a base-256 one when the high bit of its first byte is set. */
    private long number(int off, int len) throws IOException {
        if ((header[off] & 0x80) != 0) {
            long v = header[off] & 0x3f;
            if ((header[off] & 0x40) != 0) {
                throw damaged("negative base-256 number");
            }
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    throw damaged("number too large");
                }
                v = (v << 8) | (header[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        boolean digits = false;
        for (int i = off; i < off + len; i++) {
            int c = header[i] & 0xff;
            if (c >= '0' && c <= '7') {
                v = (v << 3) + (c - '0');
                digits = true;
            } else if (c == 0 || c == ' ') {
                if (digits) {
                    break;
                }
            } else {
                throw damaged("bad octal field");
            }
        }
        return v;
    }

    private byte[] readBytes(long size) throws IOException {
        if (size > (1 << 24)) {
            throw damaged("extended header too large");
        }
        byte[] b = new byte[(int) size];
        if (in.readNBytes(b, 0, b.length) < b.length) {
            throw damaged("truncated extended header");
        }
        skip((BLOCK - size % BLOCK) % BLOCK);
        return b;
    }

    private void skip(long n) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw damaged("truncated entry data");
        }
    }

    private java.util.List<String[]> paxRecords(byte[] pax) throws IOException {
        java.util.List<String[]> out = new java.util.ArrayList<>();
        int pos = 0;
        while (pos < pax.length && pax[pos] != 0) {
            int sp = pos;
            while (sp < pax.length && pax[sp] != ' ') {
                sp++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(pax, pos, sp - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw damaged("bad pax record");
            }
            if (len <= sp - pos || pos + len > pax.length) {
                throw damaged("bad pax record length");
            }
            String record = new String(pax, sp + 1, pos + len - sp - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                out.add(new String[] {record.substring(0, eq), record.substring(eq + 1)});
            }
            pos += len;
        }
        return out;
    }

    private long parsePaxSize(String v) throws IOException {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw damaged("bad pax size");
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private IOException damaged(String what) {
        return new IOException(archiveName + ": " + what);
    }
}
