"""Call setup: TURN credentials for the browsers and the pre-call echo check's offer and answer."""
