"""Stream helpers that need no broker."""

import asyncio

from kmzb_common.streams import until_acked


def test_a_refused_send_is_sent_again_until_the_broker_acknowledges_it():
    async def scenario() -> list[str]:
        outcomes = iter([ConnectionError("broker gone"), TimeoutError(), None])
        sends: list[str] = []

        def ack() -> asyncio.Future:
            fut = asyncio.get_running_loop().create_future()
            outcome = next(outcomes)
            if outcome is None:
                fut.set_result("acked")
            else:
                fut.set_exception(outcome)
            return fut

        async def resend() -> asyncio.Future:
            sends.append("resent")
            return ack()

        await until_acked(ack(), resend, max_delay_s=0.01)
        return sends

    assert asyncio.run(scenario()) == ["resent", "resent"]
