# The stockade image: one static-enough binary on distroless (glibc, CA certificates, no shell,
# no package manager), running as an unprivileged user. Build from the repository root:
#   docker build -t stockade .
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p stockade \
    && strip target/release/stockade

# stockade:ignore=STK1016 the kubelet ignores HEALTHCHECK; the pod probes /livez and /readyz
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/stockade /usr/local/bin/stockade
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/stockade"]
CMD ["--help"]
