package emulator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Command line of the emulator script: parses options, starts it, prints where it listens, waits. */
final class EmulatorCli {

    static final String USAGE = """
            Usage: Emulator.java [--port N] [--seed FILE] [--token-ttl SECONDS] [--approve-as EMAIL]
                                 [--tls-dir DIR] [--device-interval SECONDS] [--device-code-ttl SECONDS]

            Runs the Datum Cloud emulator on https://127.0.0.1 until SIGTERM or Ctrl-C.
              --port N                     TCP port to listen on; 0 (default) picks a free port
              --seed FILE                  YAML seed of users, organizations and projects
                                           (default: seed.yaml next to Emulator.java)
              --token-ttl SECONDS          lifetime of access and ID tokens (default 3600)
              --approve-as EMAIL           approve every browser sign-in and device code as this
                                           seeded user instead of showing the sign-in pages
              --tls-dir DIR                folder for ca.pem, ca-key.pem, server.pem and
                                           server-key.pem, reused when present (default: a new
                                           temporary folder)
              --device-interval SECONDS    minimum polling interval of device codes (default 5)
              --device-code-ttl SECONDS    lifetime of device codes (default 600)
            Line 1 of stdout is the base URL, line 2 the path of the CA certificate to trust.
            Request logs (method, path, status) go to stderr.
            """;

    private EmulatorCli() {
    }

    static void run(String[] args) {
        Emulator.Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("emulator: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.print(USAGE);
            return;
        }
        Emulator emulator;
        try {
            emulator = Emulator.start(options);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("emulator: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "emulator-shutdown"));
        System.out.println("Datum Cloud emulator listening on " + emulator.baseUrl());
        System.out.flush();
        System.out.println("CA certificate: " + emulator.caFile().toAbsolutePath());
        System.out.flush();
        awaitShutdown();
    }

    private static void awaitShutdown() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Parses the arguments, returning null when help was requested. */
    static Emulator.Options parse(String[] args) {
        Emulator.Options options = Emulator.Options.defaults();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String value;
            if (arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            options = apply(options, name, value);
        }
        options.validate();
        return options;
    }

    private static Emulator.Options apply(Emulator.Options options, String name, String value) {
        return switch (name) {
            case "--port" -> options.withPort(port(value));
            case "--seed" -> options.withSeed(Path.of(value));
            case "--token-ttl" -> options.withTokenTtlSeconds(number(name, value));
            case "--approve-as" -> options.withApproveAs(value);
            case "--tls-dir" -> options.withTlsDir(Path.of(value));
            case "--device-interval" -> options.withDeviceIntervalSeconds(number(name, value));
            case "--device-code-ttl" -> options.withDeviceCodeTtlSeconds(number(name, value));
            default -> throw new IllegalArgumentException("unknown option " + name);
        };
    }

    private static int port(String value) {
        long port = number("--port", value);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port " + value + " is out of range; use 0 to 65535 (0 picks a free port)");
        }
        return (int) port;
    }

    private static long number(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + " needs a whole number, got: " + value);
        }
    }
}
