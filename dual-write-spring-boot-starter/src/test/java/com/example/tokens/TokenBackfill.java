package com.example.tokens;

import java.util.List;

import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillJob;
import dev.dualwrite.core.backfill.BackfillJobReport;

import org.springframework.stereotype.Component;

@Component
class TokenBackfill {

    private final Backfill backfill;

    TokenBackfill(Backfill backfill) {
        this.backfill = backfill;
    }

    BackfillJobReport copyTokens() {
        BackfillJob job = this.backfill.start(List.of("tokens"), this.backfill.defaults().withRateLimit(20_000));
        job.setRateLimit(50_000);                 // takes effect within 50 ms
        return job.await();
    }

}
