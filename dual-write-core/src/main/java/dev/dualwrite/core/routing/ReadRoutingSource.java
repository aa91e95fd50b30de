package dev.dualwrite.core.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * The {@link ReadRouting} of each repository: starts from configuration and can be changed
 * at run time (ramping reads up or down, switching shadow reads on), on this instance.
 */
public class ReadRoutingSource {

    private static final Logger logger = LoggerFactory.getLogger(ReadRoutingSource.class);

    private final Map<String, ReadRouting> routings;

    /**
     * @param configured the configured routing by repository name; others get {@link ReadRouting#NONE}
     */
    public ReadRoutingSource(Map<String, ReadRouting> configured) {
        Assert.notNull(configured, "configured must not be null");
        this.routings = new ConcurrentHashMap<>(configured);
    }

    public ReadRouting routingFor(String repository) {
        return this.routings.getOrDefault(repository, ReadRouting.NONE);
    }

    /**
     * Replace the read routing of a repository.
     * @param repository the repository name
     * @param routing the new routing
     */
    public void change(String repository, ReadRouting routing) {
        Assert.hasText(repository, "repository must not be empty");
        Assert.notNull(routing, "routing must not be null");
        ReadRouting previous = this.routings.put(repository, routing);
        logger.info("Read routing of repository '{}' changed from {} to {}", repository,
                (previous != null) ? previous : ReadRouting.NONE, routing);
    }

}
