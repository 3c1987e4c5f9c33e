"""Operations: the health check, Prometheus metrics and the published OpenAPI document."""
