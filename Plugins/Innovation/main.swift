import IndicatorKit
import Indicators

ModuleRunner.run(InnovationModule())
