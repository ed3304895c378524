package io.edgekit.balance;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Uniform random picks. See {@link Balancers#random()}. */
final class RandomBalancer implements Balancer {
    @Override
    public Picker newPicker(EndpointSnapshot snapshot) {
        @SuppressWarnings("unchecked")
        Optional<Endpoint>[] options = new Optional[snapshot.serving().size()];
        for (int i = 0; i < options.length; i++) {
            options[i] = Optional.of(snapshot.serving().get(i));
        }
        return attempt -> pick(options, attempt);
    }

    private static Optional<Endpoint> pick(Optional<Endpoint>[] options, Attempt attempt) {
        if (options.length == 0) {
            return Optional.empty();
        }
        return Untried.from(attempt, options, ThreadLocalRandom.current().nextInt(options.length));
    }

    @Override
    public String name() {
        return "random";
    }
}
