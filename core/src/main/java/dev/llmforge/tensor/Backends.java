package dev.llmforge.tensor;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds backends with {@link ServiceLoader} and picks one. The default is, in order: the name set
 * with {@link #setDefault}, the {@code llmforge.backend} system property, the {@code LLMFORGE_BACKEND}
 * environment variable, else the available provider of highest non-negative priority (ties broken by
 * name). Each backend
 * is created once and shared.
 */
public final class Backends {
    public static final String PROPERTY = "llmforge.backend";
    public static final String ENVIRONMENT = "LLMFORGE_BACKEND";

    private static final Map<String, Backend> CREATED = new ConcurrentHashMap<>();
    private static volatile String override;
    private static volatile Backend defaultBackend;

    private Backends() {
    }

    /** What discovery found for one provider. */
    public record Candidate(String name, int priority, Optional<String> problem) {
        @Override
        public String toString() {
            return name + " (priority " + priority + (problem.isPresent() ? ", unavailable: " + problem.get() : "") + ")";
        }
    }

    /** The default backend, created on first use. */
    public static Backend get() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                b = defaultBackend;
                if (b == null) {
                    b = selectDefault();
                    defaultBackend = b;
                }
            }
        }
        return b;
    }

    /** The backend with this provider name, created on first use. */
    public static Backend get(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        return CREATED.computeIfAbsent(key, Backends::create);
    }

    /** Makes {@code name} the default from now on (null restores automatic selection). */
    public static synchronized void setDefault(String name) {
        override = name;
        defaultBackend = null;
    }

    /** Every provider on the class path, with the reason it cannot be used, if any. */
    public static List<Candidate> candidates() {
        List<Candidate> out = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (BackendProvider p : providers(broken)) {
            out.add(new Candidate(p.name(), p.priority(), safeReason(p)));
        }
        for (String b : broken) {
            out.add(new Candidate("?", Integer.MIN_VALUE, Optional.of(b)));
        }
        return out;
    }

    private static Backend selectDefault() {
        String named = override;
        String source = "Backends.setDefault";
        if (named == null) {
            named = System.getProperty(PROPERTY);
            source = "-D" + PROPERTY;
        }
        if (named == null || named.isBlank()) {
            named = System.getenv(ENVIRONMENT);
            source = ENVIRONMENT;
        }
        if (named != null && !named.isBlank()) {
            try {
                return get(named);
            } catch (BackendNotFoundException e) {
                throw new BackendNotFoundException(e.getMessage() + " (requested by " + source + ")", e.getCause());
            }
        }
        List<String> broken = new ArrayList<>();
        List<BackendProvider> providers = providers(broken);
        // highest priority first; equal priorities by name, so the choice never depends on class path order
        providers.sort(Comparator.comparingInt(BackendProvider::priority).reversed().thenComparing(BackendProvider::name));
        List<String> failures = new ArrayList<>(broken);
        for (BackendProvider p : providers) {
            if (p.priority() < 0) {
                failures.add(p.name() + ": only used when named (priority " + p.priority() + ")");
                continue;
            }
            Optional<String> reason = safeReason(p);
            if (reason.isPresent()) {
                failures.add(p.name() + ": " + reason.get());
                continue;
            }
            try {
                return CREATED.computeIfAbsent(p.name(), n -> p.create());
            } catch (RuntimeException | LinkageError e) {
                failures.add(p.name() + ": failed to start: " + e);
            }
        }
        throw new BackendNotFoundException("no usable llmforge backend on the class path. Add one, e.g. "
                + "dev.llmforge:llmforge-backend-djl, or name one with -D" + PROPERTY + "=NAME. Found: "
                + (failures.isEmpty() ? "no providers at all" : String.join("; ", failures)), null);
    }

    private static Backend create(String name) {
        List<String> broken = new ArrayList<>();
        List<BackendProvider> providers = providers(broken);
        List<String> seen = new ArrayList<>();
        for (BackendProvider p : providers) {
            seen.add(p.name());
            if (p.name().equalsIgnoreCase(name)) {
                Optional<String> reason = safeReason(p);
                if (reason.isPresent()) {
                    throw new BackendNotFoundException("backend '" + name + "' is on the class path but unavailable: " + reason.get(), null);
                }
                try {
                    return p.create();
                } catch (RuntimeException | LinkageError e) {
                    throw new BackendNotFoundException("backend '" + name + "' failed to start: " + e, e);
                }
            }
        }
        throw new BackendNotFoundException("unknown backend '" + name + "'. Found: " + (seen.isEmpty() ? "none" : String.join(", ", seen))
                + (broken.isEmpty() ? "" : "; providers that failed to load: " + String.join("; ", broken)), null);
    }

    private static List<BackendProvider> providers(List<String> broken) {
        List<BackendProvider> out = new ArrayList<>();
        var it = ServiceLoader.load(BackendProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                broken.add(e.toString());
            }
        }
        return out;
    }

    private static Optional<String> safeReason(BackendProvider p) {
        try {
            return p.unavailableReason();
        } catch (RuntimeException | LinkageError e) {
            return Optional.of(e.toString());
        }
    }
}
