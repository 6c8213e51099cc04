"""What the forecast reads and writes: calibration, scenarios and result tables.

* inputs: `baseline` (BLS employment path by occupation and sector), `calibration` (the game's
  sector calibration and a user's override file), `demand`, `sector_demand` and
  `industry_firms` (economy mode, §7.3), `scenarios`, `scenario_schema` and
  `scenario_files` (the scenario files, §6, and where they are);
* outputs: `outcomes` (one scenario's chunks into every table), `results` (per-draw arrays
  into the warehouse tables), `anchors` (published anchors and the model's equivalents).
"""
