package dev.dualwrite.autoconfigure.verify;

import dev.dualwrite.core.verify.BackgroundVerifier;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link BackgroundVerifier} once the application context is up (so every
 * repository is paired and registered with the control plane) and stops it on shutdown,
 * before the connection pools close, letting its lease go for another instance.
 */
public class BackgroundVerifierLifecycle implements SmartLifecycle {

    private final BackgroundVerifier verifier;

    private volatile boolean running;

    /**
     * @param verifier the background verifier
     */
    public BackgroundVerifierLifecycle(BackgroundVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public void start() {
        this.verifier.start();
        this.running = true;
    }

    @Override
    public void stop() {
        this.verifier.close();
        this.running = false;
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

}
