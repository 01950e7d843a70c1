# The pod sandbox ("pause") image, built offline FROM scratch from Debian's static catatonit (copied into
# the build context as ./catatonit). The one Dockerfile of this image: the hostpods.core.node role builds
# it on nodes (node_sandbox_source build or auto) and scripts/setup.sh on the machine it sets up; each
# names itself in BUILT_BY (the label io.hostpods.built-by).
FROM scratch
ARG BUILT_BY=hostpods
COPY catatonit /pause
ENTRYPOINT ["/pause", "-P"]
LABEL org.opencontainers.image.title="hostpods pause" \
      org.opencontainers.image.description="catatonit -P as the pod sandbox" \
      io.hostpods.built-by="${BUILT_BY}"
