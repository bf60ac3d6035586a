"""Whether the service is up."""

from fastapi import APIRouter

router = APIRouter(tags=["service"])


@router.get("/health")
def health() -> dict[str, str]:
    """Whether the service is up (no token needed)."""
    return {"status": "ok"}
