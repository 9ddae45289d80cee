"""The architecture: what ARMv7-M defines and Unicorn does not do (NVIC, SCB, exceptions, faults, FPU, the core)."""
