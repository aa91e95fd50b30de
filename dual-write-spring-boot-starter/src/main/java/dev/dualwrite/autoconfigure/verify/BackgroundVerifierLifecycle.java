package dev.dualwrite.autoconfigure.verify;

import dev.dualwrite.core.verify.BackgroundVerifier;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link BackgroundVerifier} once the application context is up (so every
 * repository is paired and registered with the control plane) and stops it on shutdown,
 * before the connection pools close, letting its lease go for another instance.
 */
class BackgroundVerifierLifecycle implements SmartLifecycle {

    private final BackgroundVerifier verifier;

    BackgroundVerifierLifecycle(BackgroundVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public void start() {
        this.verifier.start();
    }

    // Stopped, not closed: a context stopped and started again runs passes again.
    @Override
    public void stop() {
        this.verifier.stop();
    }

    @Override
    public boolean isRunning() {
        return this.verifier.isRunning();
    }

}
