package dev.dualwrite.core.routing;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;

import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.pair.DualRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Slice;
import org.springframework.data.domain.SliceImpl;

/**
 * The reads from PostgreSQL that an expiry column changes beyond dropping expired rows from
 * what the repository returned: {@code count()} counts only live rows, and
 * {@code existsById} is false for an expired row. Derived counts and exists queries are not
 * changed (their SQL is the repository's own); the sweep bounds how long they may still
 * count an expired row.
 */
final class ExpiringReads {

    private ExpiringReads() {
    }

    /**
     * Answer a read whose result the expiry changes, or say it is not one.
     * @return the answer, or empty to let the repository's own method answer
     */
    @SuppressWarnings("unchecked")
    static Optional<Object> answer(DualRepository<?, ?, ?> repository, Method method, @Nullable Object[] args) {
        DualRepository<Object, Object, Object> pair = (DualRepository<Object, Object, Object>) repository;
        int arity = method.getParameterCount();
        if (method.getName().equals("count") && arity == 0) {
            return Optional.of(pair.expiry().countLive());
        }
        if (method.getName().equals("existsById") && arity == 1 && args != null && args[0] != null) {
            return Optional.of(pair.postgres().load(args[0]).filter(pair.expiry()::isLive).isPresent());
        }
        return Optional.empty();
    }

    /** Return a slice (or page) without its expired rows; a page's total shrinks by as many. */
    static Slice<?> liveSlice(Slice<?> slice, KeyExpiry<?, ?, ?> expiry) {
        List<?> live = slice.getContent().stream().filter(expiry::isLive).toList();
        if (live.size() == slice.getNumberOfElements()) {
            return slice;
        }
        if (slice instanceof Page<?> page) {
            return new PageImpl<>(live, page.getPageable(),
                    page.getTotalElements() - (slice.getNumberOfElements() - live.size()));
        }
        return new SliceImpl<>(live, slice.getPageable(), slice.hasNext());
    }

}
