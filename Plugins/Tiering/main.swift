import IndicatorKit
import Indicators

ModuleRunner.run(TieringModule())
