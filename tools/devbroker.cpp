// Placeholder: hc-devbroker lands with the dev environment work.
int main() { return 1; }
