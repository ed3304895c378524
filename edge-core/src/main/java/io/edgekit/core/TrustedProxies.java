package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.IpLiterals;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIDR blocks whose peers the edge believes about the client: forwarded headers and request ids
 * from any other peer are replaced, never trusted or appended to. Immutable, thread-safe.
 */
public final class TrustedProxies {
    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    public static TrustedProxies none() {
        return NONE;
    }

    /** Parses blocks such as {@code 10.0.0.0/8}, {@code 192.0.2.7} or {@code 2001:db8::/32}. */
    public static TrustedProxies of(String... cidrs) {
        return of(List.of(cidrs));
    }

    public static TrustedProxies of(List<String> cidrs) {
        List<Block> blocks = new ArrayList<>();
        for (String cidr : cidrs) {
            blocks.add(Block.parse(requireNonNull(cidr, "cidr")));
        }
        return new TrustedProxies(blocks);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean contains(InetAddress address) {
        if (blocks.isEmpty() || address == null) {
            return false;
        }
        byte[] bytes = IpLiterals.normalized(address);
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return blocks.toString();
    }

    private record Block(byte[] network, int prefixLength, String text) {
        static Block parse(String cidr) {
            int slash = cidr.indexOf('/');
            String address = slash < 0 ? cidr : cidr.substring(0, slash);
            InetAddress parsed = IpLiterals.parse(address);
            if (parsed == null) {
                throw new IllegalArgumentException("cidr: \"" + cidr + "\" (expected: an IP address or block)");
            }
            byte[] bytes = IpLiterals.normalized(parsed);
            int bits = bytes.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("cidr: \"" + cidr + "\" (expected: prefix length 0-"
                            + bits + ")");
                }
            }
            byte[] network = bytes.clone();
            for (int bit = prefix; bit < bits; bit++) {
                network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            if (!java.util.Arrays.equals(network, bytes)) {
                String block = address(network) + "/" + prefix;
                throw new IllegalArgumentException("cidr: \"" + cidr + "\" has bits set past its prefix (expected: "
                        + block + " for the block, or " + address(bytes) + "/" + bits + " for the one address)");
            }
            return new Block(bytes, prefix, cidr);
        }

        private static String address(byte[] bytes) {
            try {
                return InetAddress.getByAddress(bytes).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e); // never: the length is 4 or 16
            }
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixLength / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
