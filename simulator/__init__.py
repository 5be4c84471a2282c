"""The dealer-group simulator: a synthetic dealer group plays a day at its service desks,
talking only to the gateway over HTTP like the real front ends (`python -m simulator`)."""
