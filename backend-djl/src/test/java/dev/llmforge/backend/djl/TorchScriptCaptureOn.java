package dev.llmforge.backend.djl;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Turns on the DJL backend's TorchScript capture ({@link DjlBackend#CAPTURE_PROPERTY}) for one test class. */
final class TorchScriptCaptureOn implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        System.setProperty(DjlBackend.CAPTURE_PROPERTY, "true");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.clearProperty(DjlBackend.CAPTURE_PROPERTY);
    }
}
