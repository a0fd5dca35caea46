"""`python -m distillguard.lab.independent --seed N --hours 6 --out DIR`."""

from .gen import main

if __name__ == "__main__":
    main()
