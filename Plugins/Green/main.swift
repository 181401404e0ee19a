import IndicatorKit
import Indicators

ModuleRunner.run(GreenModule())
