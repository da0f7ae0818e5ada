"""What every cloud engine shares: keys, URL policy, retries, the HTTP session, SSE, transfers."""
