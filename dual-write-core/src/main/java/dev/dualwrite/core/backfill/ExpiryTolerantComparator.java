package dev.dualwrite.core.backfill;

import java.util.List;
import java.util.Map;

import dev.dualwrite.core.compare.EntityComparator;
import dev.dualwrite.core.expiry.KeyExpiry;

import org.springframework.data.mapping.PersistentEntity;
import org.springframework.data.mapping.context.MappingContext;

/**
 * The catch-up's comparison of a row copied from Redis with the stored one: the verifier's,
 * with the expiry compared within the repository's tolerance as the verifier compares it.
 * The copied row's expiry is now plus a {@code PTTL} read later than the stored row's, so it
 * is milliseconds apart for every expiring key that did not change; compared exactly, every
 * such row would be rewritten on every run.
 */
final class ExpiryTolerantComparator extends EntityComparator {

    private final KeyExpiry<?, ?, ?> expiry;

    ExpiryTolerantComparator(MappingContext<? extends PersistentEntity<?, ?>, ?> mappingContext,
            KeyExpiry<?, ?, ?> expiry) {
        super(mappingContext);
        this.expiry = expiry;
    }

    @Override
    public List<String> differingFields(Object left, Object right) {
        return super.differingFields(this.expiry.withToleratedExpiry(left, right), right);
    }

    @Override
    public Map<String, FieldValues> differences(Object left, Object right) {
        return super.differences(this.expiry.withToleratedExpiry(left, right), right);
    }

}
