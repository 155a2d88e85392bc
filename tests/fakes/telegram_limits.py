"""Telegram's sending limits, as token buckets.

The exact rule enforced when `FakeTelegram(enforce_limits=True, limit_scale=s)`:

- every message-sending call (send*, copyMessage, forwardMessage) takes one
  token from the global bucket (refills 30*s per second, holds 30*s tokens, at
  least 1) and
  one from its chat's bucket;
- a private chat (positive id) refills 1*s per second and holds `private_burst`
  tokens (3 by default: Telegram tolerates a short burst, then answers 429);
- a group or channel (negative id) refills 20*s per minute and holds 20 tokens;
- a call is refused with 429 when any bucket it needs is empty, consuming
  nothing; retry_after is the whole number of seconds (at least 1) until every
  bucket it needs has a token again, as the Bot API only speaks whole seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

GLOBAL_PER_SECOND = 30.0
PRIVATE_PER_SECOND = 1.0
GROUP_PER_MINUTE = 20.0


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_time(self) -> float:
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


@dataclass
class SendLimiter:
    scale: float = 1.0
    private_burst: int = 3
    clock: Callable[[], float] = time.monotonic
    _global: TokenBucket | None = None
    _chats: dict[int | str, TokenBucket] = field(default_factory=dict)

    def _bucket_for_chat(self, chat_id: int | str, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            private = isinstance(chat_id, int) and chat_id > 0
            if private:
                rate, capacity = PRIVATE_PER_SECOND * self.scale, float(self.private_burst)
            else:
                rate, capacity = GROUP_PER_MINUTE * self.scale / 60.0, GROUP_PER_MINUTE
            bucket = TokenBucket(rate=rate, capacity=capacity, tokens=capacity, stamp=now)
            self._chats[chat_id] = bucket
        return bucket

    def try_send(self, chat_id: int | str) -> int | None:
        """None when the message may go now, else retry_after in whole seconds."""
        now = self.clock()
        if self._global is None:
            per_second = GLOBAL_PER_SECOND * self.scale
            capacity = max(per_second, 1.0)
            self._global = TokenBucket(per_second, capacity, capacity, now)
        buckets = [self._global, self._bucket_for_chat(chat_id, now)]
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait_time() for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1.0
        return None
